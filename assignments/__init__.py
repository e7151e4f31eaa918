"""The instructor's edition (``make assignments``): from each lecture notebook, a
student edition (the folded references removed, stubs and checks kept) and an
otter-grader autograder whose tests call the book's checks in strict mode.

* ``edition``: the lecture notebook as an otter assign master notebook (pure Python: no
  otter needed, so the book's own tests can test it);
* ``variants``: the hidden tests, the same check with every seed it draws shifted;
* ``build``: runs otter assign on every master (``.venv-otter``; ``make assignments``).
"""
