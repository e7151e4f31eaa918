"""Number each lecture's exercises from 1, prefixed by the lecture: "Exercise 3.2".

sphinx-exercise numbers exercises through Sphinx's numfig, which counts across the whole
book when the table of contents is not numbered (and a numbered one would also prefix
the lectures' own hand-numbered headings). After Sphinx has assigned the figure numbers,
this replaces each exercise's number in `notebooks/NN_*.ipynb` by (NN, index within the
page), so titles, solution titles and `{numref}` references all read "Exercise NN.k".

The notebooks carry the same number for Colab readers, where the directive's title is
not shown: a markdown cell tagged `remove-cell` just before each exercise, "### Exercise
NN.k: <title>" (tests/test_exercise_numbering.py checks that the two agree).

Figures on lecture pages carry their number in their caption ("Figure 4.2: ...", cell
metadata mystnb.figure.caption, so Colab readers see the same number in the cell), so
Sphinx's own count ("Fig. 1") is dropped there (tests/test_diagrams.py checks the
captions' numbering).
"""

import re

LECTURE = re.compile(r"notebooks/(\d+)_")


def renumber_exercises(app, env):
    for docname, numbers in env.toc_fignumbers.items():
        match = LECTURE.match(docname)
        if match and "exercise" in numbers:
            lecture = int(match.group(1))
            # Sphinx registers the numbers in document order.
            for index, label in enumerate(numbers["exercise"], start=1):
                numbers["exercise"][label] = (lecture, index)
        if match:
            # the caption says "Figure NN.k: ..." itself
            numbers.pop("figure", None)
    return []


def setup(app):
    # After Sphinx's own TocTreeCollector (priority 500) has assigned the numbers.
    app.connect("env-get-updated", renumber_exercises, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
