"""The wrong answer the student flow (``tests/nbval_plugin.py``) plays on each exercise.

``WRONG_ANSWERS[notebook][stub]`` is the source a student might type into the stub cell:
the first of the exercise's wrong answers on file in ``tests/exercise_answers/`` (the
one place with every exercise's reference and wrong answers; the unit tests in
``tests/test_exercise_answers.py`` play all of them). After the notebook's last cell the
flow runs it, then the exercise's check cell, and expects "failed: <reason>"; then the
folded reference under the stub's name, and expects "passed".

An exercise found in a notebook without an entry here fails the run, and so does an
entry for a stub no notebook has (``tests/test_student_answers.py``).
"""

try:
    from tests.exercise_answers import all_answers
except ImportError:  # tests/ itself on the path
    from exercise_answers import all_answers

WRONG_ANSWERS: dict[str, dict[str, str]] = {
    notebook: {stub: answers.wrong[0] for stub, answers in exercises.items()}
    for notebook, exercises in all_answers().items()
}
