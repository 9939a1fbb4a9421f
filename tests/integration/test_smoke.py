def test_demo_loads_and_lead_sees_the_demo_project(app, world, runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "lead" in result.output and "ana-password" in result.output
    client = world.client("lead", "lead-password")
    page = client.get("/p/demo")
    assert page.status_code == 200
    assert b"Port authority blames faulty wiring" in page.data


def test_the_demo_registry_offers_the_sources_its_articles_quote(app, world, runner):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    client = world.client("ana", "ana-password")
    found = client.get("/api/projects/demo/sources?q=Mar")
    assert found.status_code == 200, found.data
    names = sorted(source["name"] for source in found.json["sources"])
    assert names == ["Maria Okafor", "Maria Zakharova"]
    manager = world.client("lead", "lead-password")
    assert b"Northgate Courier" in manager.get("/p/demo/sources").data
    # loading the demo again adds nothing
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    again = client.get("/api/projects/demo/sources?q=Mar").json["sources"]
    assert sorted(source["name"] for source in again) == names
