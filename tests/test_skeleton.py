"""student/ is exactly what the generator makes of reference/, and every kata test fails there as it should."""

from __future__ import annotations

import io
import re
import subprocess
import textwrap
import tokenize
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from katas import catalogue
from kit.authoring import skeleton
from tests.run_once import run_once
from tests.spec_runner import ROOT, run_spec


def test_student_is_the_generated_skeleton() -> None:
    """Fails when reference/ changed and student/ was not regenerated (python -m kit.authoring.skeleton)."""
    diffs = skeleton.stale_files()
    assert not diffs, "student/ is stale; run: python -m kit.authoring.skeleton\n" + "".join(diffs)[:4000]


def test_every_catalogued_name_is_a_tagged_function() -> None:
    """generate() checks tags against the catalogue; every ready kata names what the learner writes."""
    skeleton.generate()
    for kata in catalogue.load():
        assert bool(kata.names) == kata.ready, f"kata {kata.number}: names must be listed exactly when ready"


def test_the_skeleton_keeps_signature_docstring_and_tag() -> None:
    source = textwrap.dedent(
        '''
        class Thing:
            def method(
                self,
                x: int,
            ) -> int:  # kata 02
                """Double x.

                >>> Thing().method(2)
                4
                """
                y = x * 2
                return y

            def given(self) -> int:
                return 1


        def helper(a):  # kata 3
            return a
        '''
    )
    out = skeleton.skeleton_source(source)
    assert "    def method(\n        self,\n        x: int,\n    ) -> int:  # kata 02\n" in out
    assert '        """Double x.\n\n        >>> Thing().method(2)\n        4\n        """\n' in out
    assert 'raise NotImplementedError("kata 02 · Thing.method — see katas/02-backprop/README.md")' in out
    assert "y = x * 2" not in out
    assert "    def given(self) -> int:\n        return 1\n" in out
    helper = 'raise NotImplementedError("kata 03 · helper — see katas/03-activations/README.md")'
    assert f"def helper(a):  # kata 3\n    # TODO(kata 03): write helper\n    {helper}" in out
    assert "        # TODO(kata 02): write Thing.method\n" in out
    compile(out, "<skeleton>", "exec")


def test_a_kata_function_without_a_body_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs a body"):
        skeleton.skeleton_source('def f():  # kata 1\n    """Only a docstring."""\n')


def test_generated_messages_name_the_kata_the_function_and_an_existing_page() -> None:
    pattern = re.compile(r'raise NotImplementedError\("kata (\d\d) · ([\w.]+) — see (katas/[\w-]+/README\.md)"\)')
    found = []
    for text in skeleton.generate().values():
        found += pattern.findall(text)
    assert {int(n) for n, _, _ in found} == {k.number for k in catalogue.load() if k.ready}
    for number, name, page in found:
        kata = catalogue.by_number(int(number))
        assert name in kata.names
        assert page == kata.page
        assert (ROOT / page).is_file(), f"{page} is missing"


@pytest.fixture
def student_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ET.Element]:
    """The whole spec against the skeleton, once per session (:mod:`tests.run_once`): what the learner reads,
    and pytest's JUnit report of it."""

    def make(folder: Path) -> subprocess.CompletedProcess[str]:
        return run_spec("student", "-q", f"--junitxml={folder / 'junit.xml'}")

    result, folder = run_once(tmp_path_factory, "skeleton-spec", make)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "error" not in result.stdout.splitlines()[-1], "no collection or setup errors"
    return result.stdout, ET.parse(folder / "junit.xml").getroot()


def given_tests() -> set[str]:
    """Node ids (``spec_tests/…::test``) of the tests marked ``given``: they check code the kit gives."""
    result = run_spec("student", "-m", "given", "--co", "-q")
    return {line.split("[")[0] for line in result.stdout.splitlines() if "::" in line}


def test_every_ready_kata_test_fails_on_the_skeleton_with_its_not_implemented_error(
    student_run: tuple[str, ET.Element],
) -> None:
    """Against student/, each kata test fails, and fails only with a kata's NotImplementedError.

    Tests marked ``given`` check code that the skeleton keeps (MNIST's file reader): they are exempt.
    """
    cases = student_run[1].findall(".//testcase")
    assert len(cases) >= 60
    given = given_tests()
    for case in cases:
        failure = case.find("failure")
        name = f"{case.get('classname')}::{case.get('name')}"
        if f"{case.get('classname').replace('.', '/')}.py::{case.get('name')}".split("[")[0] in given:
            continue
        assert failure is not None, f"{name} did not fail on the skeleton"
        message = failure.get("message", "")
        assert re.match(r"NotImplementedError: kata \d\d · ", message), f"{name}: {message[:300]}"


def test_the_skeleton_run_shows_the_kata_table_and_the_next_step(student_run: tuple[str, ET.Element]) -> None:
    out = student_run[0]
    assert re.search(r"01 │ Values: forward arithmetic\s+│\s+0/\d+", out), out[-3000:]
    assert "not written yet: Value.__init__ (kata 01, katas/01-values/README.md)" in out
    assert "Next: kata 01" in out
    assert "Traceback" not in out, "no walls of tracebacks by default"
    assert "def test_" not in out, "no test source by default"


def test_the_kata_pages_of_ready_katas_exist() -> None:
    for kata in catalogue.load():
        if kata.ready:
            page = ROOT / kata.page
            assert page.is_file(), f"{kata.page} is missing"
            text = page.read_text(encoding="utf-8")
            assert f"kata hint {kata.number}" in text, f"{kata.page} does not say where its hints are"
            assert f"--kata {kata.number}" in text, f"{kata.page} does not say how to check only this kata"


def test_catalogue_numbers_slugs_and_pages_are_consistent() -> None:
    """The catalogue is the one list: numbered 1…N, unique slugs, a marker and a page per kata, points > 0."""
    katas = catalogue.load()
    assert [k.number for k in katas] == list(range(1, len(katas) + 1))
    assert len({k.slug for k in katas}) == len(katas)
    assert all(k.points > 0 for k in katas if k.ready)
    assert [k.marker for k in katas] == [f"kata{n:02d}" for n in range(1, len(katas) + 1)]
    pages = sorted(path.parent.name for path in (ROOT / "katas").glob("[0-9][0-9]-*/README.md"))
    assert pages == [f"{k.number:02d}-{k.slug}" for k in katas if k.ready]


def test_spec_markers_come_from_the_catalogue() -> None:
    """Each spec module is marked with a catalogued kata, and its file name says which."""
    for path in sorted((ROOT / "spec_tests").glob("test_kata*.py")):
        number = int(re.match(r"test_kata(\d\d)_", path.name).group(1))
        text = path.read_text(encoding="utf-8")
        assert f"pytestmark = pytest.mark.{catalogue.by_number(number).marker}" in text, path.name


def test_student_files_are_written_with_unix_newlines(tmp_path: Path) -> None:
    written = skeleton.write(student=tmp_path / "student")
    assert written == sorted(skeleton.generate())
    assert not skeleton.stale_files(student=tmp_path / "student")
    assert all(b"\r\n" not in p.read_bytes() for p in (tmp_path / "student").rglob("*.py"))


GIVEN_BANNER = re.compile(r"# ── given code: [^─\n]+ ──")


def test_given_code_has_one_banner_the_same_everywhere() -> None:
    """Code the kit writes for the learner is announced one way: ``# ── given code: what ──``."""
    comments = [
        (f"{path.relative_to(ROOT)}:{token.start[0]}", token.string)
        for path in sorted((ROOT / "reference").rglob("*.py"))
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        if token.type == tokenize.COMMENT and re.search(r"\bgiven\b", token.string, re.IGNORECASE)
    ]
    assert len(comments) >= 4, comments
    wrong = [(where, text) for where, text in comments if not GIVEN_BANNER.fullmatch(text)]
    assert not wrong, f"given code announced another way: {wrong}"
