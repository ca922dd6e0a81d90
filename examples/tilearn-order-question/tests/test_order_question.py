"""The example plug-in's own tests: parsing, marking and the installed entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from tilearn_order_question import MODULES
from tilearn_order_question.blocks import KeyPoint, OrderBlock, OrderQuestion, shown_order

from tilearn.engine import load_library
from tilearn.engine.blocks import default_block_types
from tilearn.engine.levels import load_scheme

MODULE = "putting-support-in-order"


def write(folder: Path, body: str) -> None:
    """A module folder with minimal front matter and the given body."""
    folder.mkdir(parents=True)
    (folder / f"{folder.name}.md").write_text(
        f'---\nid: {folder.name}\ntitle: T\nlevel: aware\nversion: "1"\nsummary: S\nminutes: 5\n'
        "outcomes:\n  - theme: knowledge-and-awareness\n    text: O\nframework: F\n---\n" + body,
        encoding="utf-8",
    )


def test_the_entry_points_are_installed():
    assert {e.name for e in entry_points(group="tilearn.blocks")} >= {"order", "key-point"}
    assert "order-question" in {e.name for e in entry_points(group="tilearn.plugins")}
    assert "order" in default_block_types() and "key-point" in default_block_types()


def test_the_example_module_lints_clean():
    library = load_library([Path(MODULES)], load_scheme())
    assert library.problems == []
    section = library.get(MODULE).sections[0]
    assert [b.kind for b in section.blocks] == ["html", "key-point", "order"]
    assert isinstance(section.blocks[1], KeyPoint)
    question = section.questions[0]
    assert isinstance(question, OrderQuestion) and len(question.options) == 4


def test_steps_are_never_shown_in_the_right_order():
    for question_id in ("a", "b", "first-steps", "x-y-z"):
        for count in (2, 3, 4, 5):
            order = shown_order(question_id, count)
            assert sorted(order) == list(range(count)) and list(order) != list(range(count))
    assert shown_order("same", 4) == shown_order("same", 4)


def test_an_answer_is_read_from_positions_and_marked():
    library = load_library([Path(MODULES)], load_scheme())
    question = library.get(MODULE).questions[0]
    right = {f"q-first-steps-{shown}": [str(step + 1)] for shown, step in enumerate(question.display_order)}
    answer = question.read_answer(lambda name: right.get(name, []))
    assert answer == [0, 1, 2, 3] and question.is_correct(answer)
    swapped = dict(right)
    first, second = (f"q-first-steps-{question.display_order.index(s)}" for s in (0, 1))
    swapped[first], swapped[second] = right[second], right[first]
    answer = question.read_answer(lambda name: swapped.get(name, []))
    assert answer == [1, 0, 2, 3] and not question.is_correct(answer)
    repeated = {name: ["1"] for name in right}
    assert question.read_answer(lambda name: repeated.get(name, [])) is None
    assert question.read_answer(lambda name: []) is None


def test_problems_are_reported_with_their_lines(tmp_path):
    write(
        tmp_path / "broken",
        "## One {#one}\n\n::: order {#steps}\n\n1. Only one step\n:::\n\n::: order {#more}\nOrder these.\n"
        "1. First\n   Feedback.\n2. Second\n:::\n\n::: key-point\n:::\n",
    )
    library = load_library([tmp_path], load_scheme(), blocks=default_block_types())
    messages = {(p.line, p.message) for p in library.problems}
    assert (15, "order question 'steps' has no question text") in messages
    assert (15, "order question 'steps' needs at least two numbered steps (1. … 2. …)") in messages
    assert (24, "order question 'more': step 'Second' has no feedback") in messages
    assert (27, "key point has no text") in messages
    assert OrderBlock.template_folder and Path(OrderBlock.template_folder, OrderBlock.template).is_file()
