"""Reading an API object into one of our lenient models without pydantic's per-field dispatch.

Every field of our models (models.py) is one lenient converter (a `BeforeValidator`) whose result already has the
field's type, so pydantic's own validation after it changes nothing; what it costs is the dispatch, per field,
per row: on a 20,000-call window most of the CPU of a summary. `reader_of(Model)` calls the same converters
directly, builds nested models the same way, and keeps unknown keys as pydantic does (`extra="allow"`), so a row
reads exactly as `Model.model_validate` reads it (tests/test_fast_rows.py compares the two on random odd rows).
An object a plain reading cannot mirror (a key spelled as the Python field name, which `populate_by_name` also
accepts) is handed to `model_validate`.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

Model = TypeVar("Model", bound=BaseModel)
Reader = Callable[[dict[str, Any]], Model]

_PLAIN = (str | None, float | None, int | None, bool | None, datetime | None, dict[str, Any], list[Any])
"""Field types a converter's result is returned as is by pydantic's validation."""
_KEPT_AS_SENT = {str | None: str, int | None: int, bool | None: bool, dict[str, Any]: dict, list[Any]: list}
"""Field types whose converter returns a value of this exact type unchanged (the value the API should send), so
the reader skips the call."""
_MISSING = object()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """`M` of `M | None`, else None."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return None
    models = [arg for arg in get_args(annotation) if isinstance(arg, type) and issubclass(arg, BaseModel)]
    return models[0] if len(models) == 1 and len(get_args(annotation)) == 2 else None


def _converter(model: type[BaseModel], name: str, field: FieldInfo) -> Callable[[Any], Any]:
    """The field's value from what the API sent, as validation gives it."""
    befores = [item for item in field.metadata if isinstance(item, BeforeValidator)]
    if len(befores) != 1 or len(field.metadata) != 1:
        raise TypeError(f"{model.__name__}.{name}: one lenient converter expected, found {field.metadata}")
    convert = befores[0].func
    annotation = field.annotation
    if annotation in _PLAIN:
        return convert  # type: ignore[return-value]
    (entry_type,) = get_args(annotation) if get_origin(annotation) is list else (None,)
    if isinstance(entry_type, type) and issubclass(entry_type, BaseModel):
        item = reader_of(entry_type)
        return lambda value: [item(entry) for entry in convert(value)]  # type: ignore[call-arg]
    nested = _model_in(annotation)
    if nested is not None:
        read = reader_of(nested)

        def convert_nested(value: Any) -> Any:
            value = convert(value)  # type: ignore[call-arg]
            return None if value is None else read(value)

        return convert_nested
    raise TypeError(f"{model.__name__}.{name}: no plain reading of {annotation}")


def reader_of(model: type[Model]) -> Reader[Model]:
    """A function reading one API object (a dict) as `model`, exactly as `model.model_validate` would."""
    decorators = model.__pydantic_decorators__
    if model.model_config.get("extra") != "allow" or model.__private_attributes__:
        raise TypeError(f"{model.__name__}: only models keeping extra keys and without private state")
    if decorators.model_validators or decorators.field_validators or decorators.validators:
        raise TypeError(f"{model.__name__}: a model with validators of its own is read by model_validate")
    fields = []
    for name, field in model.model_fields.items():
        default, factory = field.default, field.default_factory
        exact = _KEPT_AS_SENT.get(field.annotation, _MISSING)  # type: ignore[arg-type]
        fields.append((name, field.alias or name, exact, _converter(model, name, field), default, factory))
    keys = frozenset(key for _, key, *_ in fields)
    spelled_by_name = frozenset(name for name, key, *_ in fields if name != key)
    new, set_attribute = model.__new__, object.__setattr__

    def read(data: dict[str, Any]) -> Model:
        if not spelled_by_name.isdisjoint(data):
            return model.model_validate(data)
        values: dict[str, Any] = {}
        given: set[str] = set()
        for name, key, exact, convert, default, factory in fields:
            raw = data.get(key, _MISSING)
            if raw is _MISSING:
                values[name] = default if factory is None else factory()  # type: ignore[call-arg]
                continue
            values[name] = raw if type(raw) is exact else convert(raw)
            given.add(name)
        extra = {key: value for key, value in data.items() if key not in keys} if len(given) < len(data) else {}
        given.update(extra)  # pydantic counts unknown keys as set too
        # What model_construct does, without its second pass over every field.
        row = new(model)
        set_attribute(row, "__dict__", values)
        set_attribute(row, "__pydantic_fields_set__", given)
        set_attribute(row, "__pydantic_extra__", extra)
        set_attribute(row, "__pydantic_private__", None)
        return row

    return read
