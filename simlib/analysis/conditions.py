"""Threshold conditions over metrics, e.g. ``voluntary_attrition < 0.12 and payroll_growth < 0.04``.

Conditions are parsed into a small expression tree (comparisons of metric names and
numbers joined by ``and``, ``or``, ``not`` and brackets); nothing is evaluated as code.
:func:`parse_condition` builds one; :meth:`Condition.holds` evaluates it on a table with
one column per metric.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simlib.errors import ScenarioError

_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


@dataclass(frozen=True)
class Condition:
    """A parsed threshold expression over metric names.

    Build it with :func:`parse_condition`; evaluate it with :meth:`holds`.
    """

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def holds(self, table: pd.DataFrame) -> pd.Series:
        """Whether the condition holds in each row of ``table`` (one column per metric).

        A row with a missing metric fails the condition.
        """
        missing = [n for n in self.names if n not in table.columns]
        if missing:
            raise ScenarioError(_unknown_names(missing, list(table.columns), self.text))
        result = _evaluate(self.tree.body, table)
        return pd.Series(np.asarray(result, dtype=bool), index=table.index, name=self.text)


def _unknown_names(missing: list[str], available: list[str], text: str) -> str:
    name = missing[0]
    close = difflib.get_close_matches(name, available, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"condition {text!r}: unknown metric {name!r}; {hint}available: {', '.join(available)}"


def parse_condition(text: str) -> Condition:
    """Parse e.g. ``"voluntary_attrition < 0.12 and payroll_growth < 0.04"``.

    Allowed: metric names, numbers, ``< <= > >= == !=`` (chains too), ``+ - * /``,
    ``and``, ``or``, ``not`` and brackets.

    Raises
    ------
    ScenarioError
        Naming what is not allowed (function calls, attributes, strings ...).
    """
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError("condition: empty; write e.g. 'voluntary_attrition < 0.12'")
    if len(text) > 2000:
        raise ScenarioError("condition: longer than 2000 characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ScenarioError(f"condition {text!r}: not a valid expression ({exc.msg})") from None
    names: list[str] = []
    _check(tree.body, text, names, top=True)
    return Condition(text.strip(), tree, tuple(dict.fromkeys(names)))


def _check(node: ast.AST, text: str, names: list[str], top: bool = False) -> str:
    """Validate a node; return its kind, ``"bool"`` or ``"number"``."""
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            if _check(v, text, names) != "bool":
                raise ScenarioError(f"condition {text!r}: 'and'/'or' join comparisons")
        return "bool"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        if _check(node.operand, text, names) != "bool":
            raise ScenarioError(f"condition {text!r}: 'not' applies to a comparison")
        return "bool"
    if isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            raise ScenarioError(f"condition {text!r}: compare with < <= > >= == != only")
        for operand in [node.left, *node.comparators]:
            if _check(operand, text, names) != "number":
                raise ScenarioError(f"condition {text!r}: compare metrics and numbers only")
        return "bool"
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        for side in (node.left, node.right):
            if _check(side, text, names) != "number":
                raise ScenarioError(f"condition {text!r}: arithmetic on metrics and numbers only")
        return "number"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if _check(node.operand, text, names) != "number":
            raise ScenarioError(f"condition {text!r}: a sign applies to a number")
        return "number"
    if isinstance(node, ast.Name):
        names.append(node.id)
        if top:
            raise ScenarioError(
                f"condition {text!r}: compare {node.id!r} with a threshold, e.g. {node.id} < 0.1"
            )
        return "number"
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return "number"
    what = type(node).__name__
    if isinstance(node, ast.Constant):
        what = f"the value {node.value!r}"
    elif isinstance(node, ast.Call):
        what = "a function call"
    elif isinstance(node, ast.Attribute):
        what = "an attribute"
    raise ScenarioError(
        f"condition {text!r}: {what} is not allowed; use metric names, numbers, comparisons, "
        "and/or/not"
    )


def _evaluate(node: ast.AST, table: pd.DataFrame) -> Any:
    if isinstance(node, ast.BoolOp):
        parts = [np.asarray(_evaluate(v, table), dtype=bool) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for p in parts[1:]:
            out = combine(out, p)
        return out
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, table)
        if isinstance(node.op, ast.Not):
            return np.logical_not(value)
        return np.negative(value) if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, table)
        out = np.ones(len(table), dtype=bool)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, table)
            with np.errstate(invalid="ignore"):
                out &= np.asarray(_COMPARE[type(op)](left, right), dtype=bool)
            left = right
        return out
    if isinstance(node, ast.BinOp):
        with np.errstate(all="ignore"):
            return _ARITH[type(node.op)](_evaluate(node.left, table), _evaluate(node.right, table))
    if isinstance(node, ast.Name):
        return table[node.id].to_numpy(dtype=float)
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))  # _check admits numeric constants only
        return float(node.value)
    raise AssertionError(f"unchecked node {node!r}")  # parse_condition rejects the rest
