"""A request model built directly with values it refuses raises closeknit's ValidationError
naming the field (one base class to catch), and is still pydantic's ValidationError; parsing
with model_validate (what the CLI, the API and the pages do) is unchanged."""

from __future__ import annotations

import pydantic
import pytest

from closeknit import errors
from closeknit.service import lists as lsvc
from closeknit.service import plans as psvc


def test_a_directly_built_request_is_refused_as_closeknits_validation_error() -> None:
    with pytest.raises(errors.CloseknitError) as e:
        psvc.PlanIn(text="anklets", budget=-5)
    assert isinstance(e.value, errors.ValidationError)
    assert e.value.message == "budget: Input should be greater than 0"
    assert e.value.details == {"field": "budget"}
    assert e.value.to_dict()["error"]["type"] == "ValidationError"
    assert e.value.http_status == 422
    # a pattern is said in words, a validator's own sentence is kept, a typo'd field named
    with pytest.raises(errors.ValidationError, match="countries: should be a country"):
        psvc.PlanIn(text="anklets", budget=5, countries=["Narnia"])
    with pytest.raises(errors.ValidationError, match="^name: a list needs a name$"):
        lsvc.ListIn(name="  ")
    with pytest.raises(errors.ValidationError, match="^budjet: Extra inputs") as e:
        psvc.PlanIn(text="anklets", budget=5, budjet=5)  # type: ignore[call-arg]
    # still pydantic's error: code written against pydantic keeps working
    assert isinstance(e.value, pydantic.ValidationError)
    assert e.value.errors()[0]["type"] == "extra_forbidden"


def test_model_validate_still_raises_pydantics_own_error() -> None:
    with pytest.raises(pydantic.ValidationError) as e:
        psvc.PlanIn.model_validate({"text": "anklets", "budget": -5})
    assert not isinstance(e.value, errors.CloseknitError)
    assert psvc.PlanIn(text="anklets", budget=5).budget == 5
