"""What the policy pipeline finds in a text: spans with offsets, and the public extraction shape.

The spaCy components fill a :class:`PolicyAnalysis` (``doc._.policy``), whose
facts all keep the character offsets of the text they were read from. The
command line and API show the :class:`PolicyExtraction` (``to_extraction``):
the documented JSON shape, with values as the text writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

OrgKind = Literal["University", "Institute", "Enterprise", "Agency", "Platform", "Base", "Fund", "Alliance", "Program"]


@dataclass(frozen=True)
class Mention:
    """A quoted piece of the text: as written, with its character offsets in the decoded file."""

    text: str
    start: int
    end: int


@dataclass
class Section:
    """A numbered section of the plan (一、 / （一） / 1. / （1） …): a task."""

    id: str                      # "2.1.1"
    title: str
    title_span: Mention
    level: int                   # 1 = top
    style: str                   # the numbering style (cn, pcn, num, …)
    start: int                   # where the heading starts
    own_end: int                 # where its own text ends (the next heading of any level)
    end: int = 0                 # where the section with its children ends
    parent: str | None = None


@dataclass(frozen=True)
class DepartmentMention:
    """A government body named in the text, with the key it resolves by."""

    mention: Mention
    key: str                     # normalised, region-qualified name: one Agency per key
    canonical: str               # the full name derived from the surface form (黑龙江省科学技术厅)


@dataclass(frozen=True)
class Duty:
    """One department's role in one task."""

    task: str
    role: Literal["lead", "support"]
    department: DepartmentMention
    standing: bool = False       # from a 「以下均需……配合，不再列出」 clause


@dataclass(frozen=True)
class TargetFact:
    """A numeric target: what is counted, how many, by when."""

    metric: str
    value: float
    unit: str
    deadline: int | None
    task: str | None
    text: str                    # the sentence as written
    span: Mention                # the clause that states it
    sentence: Mention
    accumulation: str | None = None
    scope: str | None = None
    qualifier: str | None = None


@dataclass(frozen=True)
class IndustryMention:
    name: str
    mention: Mention
    task: str | None


@dataclass(frozen=True)
class OrganizationMention:
    name: str
    kind: str
    mention: Mention
    task: str | None
    node_id: str | None = None   # an existing graph node it matched (gazetteer)


@dataclass
class DocumentMeta:
    title: str
    title_span: Mention | None
    issuer: str | None
    date: str | None
    period: str | None
    province: str | None         # 黑龙江省: what a bare 省 prefix means
    city: str | None             # 哈尔滨市: what a bare 市 prefix means (city-level documents)
    body_start: int = 0


@dataclass
class PolicyAnalysis:
    """Everything the pipeline found in one document."""

    source: str
    meta: DocumentMeta | None = None
    sections: list[Section] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    departments: list[DepartmentMention] = field(default_factory=list)
    targets: list[TargetFact] = field(default_factory=list)
    industries: list[IndustryMention] = field(default_factory=list)
    organizations: list[OrganizationMention] = field(default_factory=list)
    #: spans the department component claimed (duty brackets), which name finders skip
    duty_spans: list[tuple[int, int]] = field(default_factory=list)

    def section(self, task_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == task_id), None)

    def section_at(self, offset: int) -> Section | None:
        """The section whose own text contains ``offset`` (None in the preamble)."""
        found = None
        for s in self.sections:
            if s.start <= offset < s.own_end:
                found = s
        return found

    def department_surface(self, key: str) -> str:
        """The first way the text writes the department with this key."""
        for d in self.departments:
            if d.key == key:
                return d.mention.text
        return key

    def to_extraction(self) -> "PolicyExtraction":
        """The documented JSON shape (values as the text writes them)."""
        meta = self.meta
        tasks = []
        for s in self.sections:
            lead = _unique(self.department_surface(d.department.key) for d in self.duties
                           if d.task == s.id and d.role == "lead")
            support = _unique(self.department_surface(d.department.key) for d in self.duties
                              if d.task == s.id and d.role == "support")
            tasks.append(TaskOut(id=s.id, title=s.title, lead=lead, support=[x for x in support if x not in lead]))
        return PolicyExtraction(
            document=DocumentOut(title=meta.title if meta else "", issuer=meta.issuer if meta else None,
                                 date=meta.date if meta else None, period=meta.period if meta else None),
            tasks=tasks,
            departments=_unique(self.department_surface(d.key) for d in self.departments),
            targets=[TargetOut(metric=t.metric, value=_number(t.value), unit=t.unit, deadline=t.deadline,
                               task=t.task, text=t.text) for t in self.targets],
            industries=_unique(i.name for i in self.industries),
            organizations=_unique_orgs(self.organizations),
        )


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def _unique_orgs(orgs: list[OrganizationMention]) -> list["OrganizationOut"]:
    seen: dict[str, OrganizationOut] = {}
    for o in orgs:
        seen.setdefault(o.name, OrganizationOut(name=o.name, kind=o.kind))  # type: ignore[arg-type]
    return list(seen.values())


# --------------------------------------------------------------------------- public shape


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentOut(_Out):
    title: str
    issuer: str | None
    date: str | None
    period: str | None


class TaskOut(_Out):
    id: str
    title: str
    lead: list[str]
    support: list[str]


class TargetOut(_Out):
    metric: str
    value: int | float
    unit: str
    deadline: int | None
    task: str | None
    text: str


class OrganizationOut(_Out):
    name: str
    kind: OrgKind


class PolicyExtraction(_Out):
    """``innograph extract FILE --json``: what a plan says, keys in English, values as written."""

    document: DocumentOut
    tasks: list[TaskOut]
    departments: list[str]
    targets: list[TargetOut]
    industries: list[str]
    organizations: list[OrganizationOut]
