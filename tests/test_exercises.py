"""The one checker contract: states, the learner's errors, and the result's two faces."""

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import FAILED, MIME_TYPE, NOT_WRITTEN, PASSED, Mistake


@exercises.checker("squares")
def check_squares(fn):
    got = exercises.call(fn, np.arange(4.0))
    exercises.expect_close("the squares", got, np.arange(4.0) ** 2)
    return "x ** 2, element by element"


def right(x):
    return x ** 2


def doubled(x):
    return 2 * x


def stub(x):
    raise NotImplementedError("square each entry")


def forgot_return(x):
    x ** 2


def indexes_too_far(x):
    y = x ** 2
    return y[10]


def broadcasts_wrong(x):
    return x * np.ones(3)


def multiplies_wrong(x):
    return np.ones((2, 3)) @ x.reshape(4, 1)


def test_a_right_answer_passes_with_the_checkers_message():
    result = check_squares(right)
    assert result.passed and result.status == PASSED and result.written
    assert result.message == "x ** 2, element by element"


def test_a_wrong_answer_fails_naming_where_it_is_most_wrong():
    result = check_squares(doubled)  # 2x against x ** 2 on 0, 1, 2, 3: worst at index 3
    assert result.status == FAILED and not result.passed
    assert "index (3,) got 6, expected 9" in result.message


@pytest.mark.parametrize("fn", [stub, forgot_return])
def test_the_stub_and_a_missing_return_are_not_written(fn):
    result = check_squares(fn)
    assert result.status == NOT_WRITTEN and not result.written


def test_the_stubs_hint_is_kept():
    assert "square each entry" in check_squares(stub).message


def test_the_learners_error_is_reported_with_its_line_and_never_escapes():
    result = check_squares(indexes_too_far)
    assert result.status == FAILED
    assert "IndexError" in result.message
    assert "return y[10]" in result.message  # the learner's own line, read from this file


def test_numpys_shape_errors_get_a_hint():
    broadcast = check_squares(broadcasts_wrong)
    assert broadcast.status == FAILED and "keepdims=True" in broadcast.message
    matmul = check_squares(multiplies_wrong)
    assert matmul.status == FAILED and "W[l] @ A[l-1]" in matmul.message


@pytest.mark.parametrize("given", [None, 3, "right", np.arange(3)])
def test_something_that_is_not_a_function_fails_saying_what_it_is(given):
    result = check_squares(given)
    assert result.status == FAILED and type(given).__name__ in result.message


def test_call_copies_arrays_and_dicts_but_call_in_place_does_not():
    x = np.zeros(3)
    params = {"W1": np.zeros((2, 2))}

    def scribble(a, p):
        a[0] = 1.0
        p["W1"][0, 0] = 1.0
        return a

    exercises.call(scribble, x, params)
    assert x[0] == 0 and params["W1"][0, 0] == 0
    exercises.call_in_place(scribble, x, params)
    assert x[0] == 1 and params["W1"][0, 0] == 1


def test_expect_shape_names_a_transpose():
    with pytest.raises(Mistake, match=r"shape \(3, 2\), expected \(2, 3\) \(it is transposed\)"):
        exercises.expect_shape("dW1", np.zeros((3, 2)), (2, 3))


def test_expect_keys_names_the_missing_and_the_extra_key():
    with pytest.raises(Mistake, match="missing b1"):
        exercises.expect_keys("params", {"W1": 0}, ["W1", "b1"])
    with pytest.raises(Mistake, match="unexpected keys W2"):
        exercises.expect_keys("params", {"W1": 0, "b1": 0, "W2": 0}, ["W1", "b1"])


def test_expect_close_rejects_nan():
    with pytest.raises(Mistake, match="NaN"):
        exercises.expect_close("J", np.nan, 1.0)


def test_a_result_shows_one_line_and_carries_a_machine_readable_copy():
    result = check_squares(doubled)
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"] == str(result) and "\n" not in str(result)
    assert bundle[MIME_TYPE] == {"exercise": "squares", "status": FAILED, "message": result.message}
    assert check_squares.exercise == "squares"
