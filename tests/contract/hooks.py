"""Schemathesis checks for the contract fuzzer (loaded by its CLI through the `hooks` setting).

The schema lists what may grow rather than enumerating it (config.openapi: a code or a value
may be added without a new version, and a generated client must not fail on one), so JSON
Schema validation alone cannot hold the server to the lists. These checks do:

- `error_code_documented`: an error's `code` is one its operation lists for that status
  (`x-error-codes` on the response);
- `listed_values_documented`: every answered value of a listed field (`x-extensible-enum`,
  e.g. an application's `status`) is one the schema lists.
"""

import schemathesis
from schemathesis.core.failures import Failure


class UndocumentedValue(Failure):
    """An answered value its schema does not list."""

    kind_title = "Undocumented value"

    def __init__(self, *, operation: str, where: str, value, documented: list):
        super().__init__(
            operation=operation,
            message=f"{where} is {value!r}; the schema lists {documented}",
        )
        self.where, self.value = where, value

    @property
    def _unique_key(self) -> str:
        return f"{self.where}:{self.value}"


class UndocumentedErrorCode(Failure):
    """An error answer whose `code` its operation does not list for that status."""

    kind_title = "Undocumented error code"

    def __init__(self, *, operation: str, status: int, code, documented: list[str]):
        super().__init__(
            operation=operation,
            message=f"{status} answered `code` {code!r}; documented for {status}: {documented}",
        )
        self.status, self.error_code, self.documented = status, code, documented

    @property
    def _unique_key(self) -> str:
        return f"{self.status}:{self.error_code}"


@schemathesis.check
def error_code_documented(ctx, response, case) -> bool | None:
    if response.status_code < 400:
        return None
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code))
    if documented is None:  # status_code_conformance reports that
        return None
    codes = documented.get("x-error-codes")
    if codes is None:
        return None
    body = response.json()
    code = body.get("code") if isinstance(body, dict) else None
    if code not in codes:
        raise UndocumentedErrorCode(
            operation=case.operation.label,
            status=response.status_code,
            code=code,
            documented=codes,
        )
    return None


@schemathesis.check
def listed_values_documented(ctx, response, case) -> bool | None:
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code))
    media = (documented or {}).get("content", {}).get("application/json")
    if media is None or "schema" not in media:
        return None
    components = case.operation.schema.raw_schema.get("components", {}).get("schemas", {})
    for where, value, listed in _listed_values(response.json(), media["schema"], components):
        if value not in listed:
            raise UndocumentedValue(
                operation=case.operation.label, where=where, value=value, documented=listed
            )
    return None


def _listed_values(value, schema, components, where="body"):
    """(where, value, listed values) for every value of `value` that `schema` lists."""
    if not isinstance(schema, dict) or value is None:
        return
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    for part in schema.get("allOf", []):
        yield from _listed_values(value, part, components, where)
    if "x-extensible-enum" in schema:
        yield where, value, schema["x-extensible-enum"]
    if isinstance(value, dict):
        for name, item in value.items():
            inner = schema.get("properties", {}).get(name, schema.get("additionalProperties"))
            yield from _listed_values(item, inner, components, f"{where}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _listed_values(item, schema.get("items"), components, f"{where}[{index}]")
