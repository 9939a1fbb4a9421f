"""The static folder's digest, which names the URL of every static file: it changes with any
change to the folder's files and with nothing else."""

from __future__ import annotations

from annotator.resources import folder_digest


def make(root, files: dict[str, bytes]):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def test_the_same_files_give_the_same_digest_wherever_they_are(tmp_path):
    files = {"app.css": b"body{}", "js/main.js": b"import './queue.js';", "js/queue.js": b""}
    assert folder_digest(make(tmp_path / "a", files)) == folder_digest(make(tmp_path / "b", files))


def test_an_edit_an_addition_a_removal_and_a_rename_each_change_the_digest(tmp_path):
    files = {"app.css": b"body{}", "js/main.js": b"x"}
    digests = {folder_digest(make(tmp_path / "base", files))}
    changed = [
        {"app.css": b"body{ }", "js/main.js": b"x"},
        {**files, "js/new.js": b""},
        {"app.css": b"body{}"},
        {"app.css": b"body{}", "js/main2.js": b"x"},
        # the same bytes split differently between a name and a content
        {"app.css": b"body{}", "js/main.jsx": b""},
    ]
    for number, variant in enumerate(changed):
        digests.add(folder_digest(make(tmp_path / f"v{number}", variant)))
    assert len(digests) == 1 + len(changed)


def test_python_caches_do_not_count(tmp_path):
    root = make(tmp_path / "s", {"app.css": b"body{}"})
    before = folder_digest(root)
    make(root, {"__pycache__/x.pyc": b"\0"})
    assert folder_digest(root) == before
