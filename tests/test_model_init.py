"""Finding has a hand-written (faster) __init__: it must behave as the generated one."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csbridge.models import Deadline, Finding, FindingStatus

MODELS = [Finding, Deadline]  # Deadline keeps the generated __init__: the reference for the test itself
_TEXT = st.none() | st.text(max_size=8)
_TIME = st.datetimes(timezones=st.just(UTC))


def generated_twin(cls: type) -> type:
    """The same fields as ``cls`` in a frozen slots dataclass with the generated __init__."""
    return dataclasses.make_dataclass(
        cls.__name__, [(f.name, f.type, dataclasses.field(default=f.default)) if f.default is not dataclasses.MISSING
                       else (f.name, f.type) for f in dataclasses.fields(cls)], frozen=True, slots=True)


@pytest.mark.parametrize("cls", MODELS)
def test_init_takes_the_fields_in_order_with_their_defaults(cls: type) -> None:
    def parameters(kind: type) -> list[tuple[str, Any, Any]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(kind).parameters.values()]

    assert parameters(cls) == parameters(generated_twin(cls))


@given(st.data())
def test_objects_are_those_the_generated_init_makes(data: st.DataObject) -> None:
    for cls in MODELS:
        values = [data.draw(st.sampled_from(FindingStatus) if f.name == "status" else _TIME if f.name.endswith("_at")
                            else _TEXT) for f in dataclasses.fields(cls)]
        keywords: dict[str, Any] = {f.name: v for f, v in zip(dataclasses.fields(cls), values, strict=True)}
        ours, twin = cls(*values), generated_twin(cls)(*values)
        assert repr(ours) == repr(twin) and dataclasses.astuple(ours) == dataclasses.astuple(twin)
        assert ours == cls(**keywords) and hash(ours) == hash(cls(**keywords))
        assert pickle.loads(pickle.dumps(ours)) == ours
        with pytest.raises(dataclasses.FrozenInstanceError):
            ours.rule = "changed"


def test_defaults_and_replace() -> None:
    due = datetime(2026, 11, 2, 8, tzinfo=UTC)
    finding = Finding("acme", "1", "courtesy.greeting", FindingStatus.BREACHED, "no greeting")
    assert (finding.agent_id, finding.message_id, finding.due_at, finding.fix, finding.quote) == (None, None, None, "", "")
    assert dataclasses.replace(finding, fix="Say hello").fix == "Say hello"
    deadline = Deadline("acme", "1", "response_time.first_reply", due, due)
    assert (deadline.agent_id, deadline.message_id, deadline.detail) == (None, None, "")
    assert deadline.key == "acme:1:response_time.first_reply:-" and finding.key.endswith(":-:breached")
    with pytest.raises(TypeError):
        Finding("acme", "1", "rule", FindingStatus.MET)  # type: ignore[call-arg]
