"""Planning a hand-out: which group of documents an annotator may take so that every document can
still reach k annotators. Pure: no Flask, no database.

Documents are grouped by who already has them; a maximum flow (groups → annotators with quota left)
tells whether all remaining places can still be filled after a choice. See
:mod:`annotator.assignments.handout` for how the database feeds it.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass

#: A node of the flow graph: "source", "sink", ("group", index) or ("annotator", user id).
Node = str | tuple[str, int]


def quota(places: int, annotators: int) -> int:
    """Most documents one of ``annotators`` may take so that ``places`` spread evenly."""
    return math.ceil(places / annotators) if annotators else 0


@dataclass(frozen=True)
class Group:
    """Documents that the same annotators already have (``holders``), each needing ``need``."""

    holders: frozenset[int]
    documents: int
    need: int


def fillable(groups: list[Group], capacity: Mapping[int, int]) -> int:
    """How many of the places still open can be filled: a max flow documents → annotators.

    An annotator can take each document of a group once (at most ``documents`` of the group) and
    ``capacity[annotator]`` documents in all. Grouping documents is exact: a group's places can be
    spread over its documents whenever no annotator takes more documents than the group has.
    """
    return _max_flow(groups, capacity)[0]


def _max_flow(
    groups: list[Group], capacity: Mapping[int, int]
) -> tuple[int, dict[tuple[int, int], int]]:
    """The maximum flow and, per (group index, annotator), the documents it gives them.

    A greedy first pass fills most places without searching (most constrained groups first);
    shortest augmenting paths (Edmonds–Karp) then make it maximal. The answer is the same as
    searching from nothing; it only takes far fewer searches (the hand-out runs it while every
    other save of the project waits).
    """
    graph: dict[Node, dict[Node, int]] = defaultdict(dict)
    open_groups = [
        (index, group)
        for index, group in enumerate(groups)
        if group.documents > 0 and group.need > 0
    ]
    takers = {annotator: left for annotator, left in capacity.items() if left > 0}

    def edge(start: Node, end: Node, amount: int) -> None:
        graph[start][end] = graph[start].get(end, 0) + amount
        graph[end].setdefault(start, 0)

    def push(start: Node, end: Node, amount: int) -> None:
        graph[start][end] -= amount
        graph[end][start] += amount

    for index, group in open_groups:
        edge("source", ("group", index), group.documents * group.need)
        for annotator in takers:
            if annotator not in group.holders:
                edge(("group", index), ("annotator", annotator), group.documents)
    for annotator, left in takers.items():
        edge(("annotator", annotator), "sink", left)

    flow = 0
    by_choice = sorted(open_groups, key=lambda item: len(graph[("group", item[0])]))
    for index, _group in by_choice:
        node: Node = ("group", index)
        for taker in graph[node]:
            if taker == "source":
                continue
            amount = min(graph["source"][node], graph[node][taker], graph[taker]["sink"])
            if amount > 0:
                push("source", node, amount)
                push(node, taker, amount)
                push(taker, "sink", amount)
                flow += amount

    while True:
        parent: dict[Node, Node | None] = {"source": None}
        queue: deque[Node] = deque(["source"])
        while queue and "sink" not in parent:
            node = queue.popleft()
            for following, room in graph[node].items():
                if room > 0 and following not in parent:
                    parent[following] = node
                    queue.append(following)
        if "sink" not in parent:
            break
        path: list[tuple[Node, Node]] = []
        step: Node | None = "sink"
        while step is not None and (before := parent[step]) is not None:
            path.append((before, step))
            step = before
        amount = min(graph[start][end] for start, end in path)
        for start, end in path:
            push(start, end, amount)
        flow += amount

    given = {
        (index, annotator): graph[("annotator", annotator)][("group", index)]
        for index, group in open_groups
        for annotator in takers
        if annotator not in group.holders
    }
    return flow, given


def choose(
    groups: list[Group], capacity: Mapping[int, int], user: int, overlap: int
) -> frozenset[int] | None:
    """The holders of the group ``user`` should take a document from, or None (nothing left).

    ``groups`` come in order of preference (fewest holders, then earliest document).
    """
    group = choose_group(groups, capacity, user, overlap)
    return group.holders if group is not None else None


def choose_group(
    groups: list[Group], capacity: Mapping[int, int], user: int, overlap: int
) -> Group | None:
    """As :func:`choose`, but the group itself: two groups may have the same holders and differ
    in ``need`` (a holder who skipped its documents fills no place)."""
    if capacity.get(user, 0) <= 0:
        return None
    candidates = [
        (index, group)
        for index, group in enumerate(groups)
        if group.documents and group.need and user not in group.holders
    ]
    if not candidates:
        return None
    most, given = _max_flow(groups, capacity)
    best = most - 1  # taking one place can never make more fillable
    left = {**capacity, user: capacity[user] - 1}
    fallback: Group | None = None
    fallback_fill = -1
    for index, group in candidates:
        if given.get((index, user), 0) > 0:
            # A maximum flow already gives ``user`` a document of this group: taking it leaves
            # the rest of that flow, so ``best`` places stay fillable without searching again.
            return group
        after = fillable(_taken(groups, group, user, overlap), left)
        if after >= best:
            return group
        if after > fallback_fill:
            fallback, fallback_fill = group, after
    return fallback  # nothing keeps every place fillable (members changed): do the least harm


def _taken(groups: list[Group], taken: Group, user: int, overlap: int) -> list[Group]:
    """``groups`` after ``user`` took one document of ``taken`` (one place fewer to fill)."""
    holders, need = taken.holders | {user}, taken.need - 1
    result, joined = [], need <= 0
    for group in groups:
        if group is taken:
            group = Group(group.holders, group.documents - 1, group.need)
        elif group.holders == holders and group.need == need:
            group, joined = Group(holders, group.documents + 1, group.need), True
        result.append(group)
    if not joined:
        result.append(Group(holders, 1, need))
    return result
