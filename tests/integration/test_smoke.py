def test_demo_loads_and_lead_sees_the_demo_project(app, world, runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "lead" in result.output and "ana-password" in result.output
    client = world.client("lead", "lead-password")
    page = client.get("/p/demo")
    assert page.status_code == 200
    assert b"Port authority blames faulty wiring" in page.data
