"""The ontology of DESIGN.md as code.

Labels and relationship types are enumerations: they are the only names that
ever reach Cypher text. Each label has a typed property model and a key; each
relationship type has its allowed endpoints, its properties and the
properties that tell two parallel edges apart (its key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.errors import SchemaError


class Label(str, Enum):
    """Every node label of the ontology."""

    ORGANIZATION = "Organization"
    UNIVERSITY = "University"
    INSTITUTE = "Institute"
    ENTERPRISE = "Enterprise"
    AGENCY = "Agency"
    PLATFORM = "Platform"
    BASE = "Base"
    FUND = "Fund"
    ACHIEVEMENT = "Achievement"
    ALLIANCE = "Alliance"
    INDUSTRY = "Industry"
    REGION = "Region"
    POLICY = "Policy"
    TASK = "Task"
    TARGET = "Target"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


class RelType(str, Enum):
    """Every relationship type of the ontology."""

    LOCATED_IN = "LOCATED_IN"
    PART_OF = "PART_OF"
    DEVELOPED = "DEVELOPED"
    TRANSFERRED_TO = "TRANSFERRED_TO"
    IN_FIELD = "IN_FIELD"
    IN_INDUSTRY = "IN_INDUSTRY"
    UPSTREAM_OF = "UPSTREAM_OF"
    COLLABORATES_WITH = "COLLABORATES_WITH"
    MEMBER_OF = "MEMBER_OF"
    OPERATES = "OPERATES"
    HOSTS = "HOSTS"
    INCUBATED = "INCUBATED"
    SPUN_OFF_FROM = "SPUN_OFF_FROM"
    INVESTED_IN = "INVESTED_IN"
    MANAGES = "MANAGES"
    HAS_TASK = "HAS_TASK"
    LEADS = "LEADS"
    SUPPORTS = "SUPPORTS"
    SETS = "SETS"
    FOCUSES_ON = "FOCUSES_ON"
    MENTIONS = "MENTIONS"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


#: Organisation kinds: each node carries ``Organization`` plus one of these.
ORG_KINDS: tuple[Label, ...] = (Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE, Label.AGENCY)

#: Chinese names of the labels, for pages and reports.
LABEL_ZH: dict[Label, str] = {
    Label.ORGANIZATION: "机构",
    Label.UNIVERSITY: "高等院校",
    Label.INSTITUTE: "科研院所",
    Label.ENTERPRISE: "企业",
    Label.AGENCY: "政府部门",
    Label.PLATFORM: "平台",
    Label.BASE: "载体/基地",
    Label.FUND: "基金",
    Label.ACHIEVEMENT: "科技成果",
    Label.ALLIANCE: "联盟",
    Label.INDUSTRY: "产业",
    Label.REGION: "地区",
    Label.POLICY: "政策",
    Label.TASK: "任务",
    Label.TARGET: "目标",
}

REL_ZH: dict[RelType, str] = {
    RelType.LOCATED_IN: "位于",
    RelType.PART_OF: "隶属",
    RelType.DEVELOPED: "研发",
    RelType.TRANSFERRED_TO: "转化至",
    RelType.IN_FIELD: "所属领域",
    RelType.IN_INDUSTRY: "所属产业",
    RelType.UPSTREAM_OF: "上游",
    RelType.COLLABORATES_WITH: "合作",
    RelType.MEMBER_OF: "成员",
    RelType.OPERATES: "运营",
    RelType.HOSTS: "承载",
    RelType.INCUBATED: "孵化",
    RelType.SPUN_OFF_FROM: "衍生自",
    RelType.INVESTED_IN: "投资",
    RelType.MANAGES: "管理",
    RelType.HAS_TASK: "包含任务",
    RelType.LEADS: "牵头",
    RelType.SUPPORTS: "配合",
    RelType.SETS: "设定目标",
    RelType.FOCUSES_ON: "聚焦",
    RelType.MENTIONS: "提及",
}


# --------------------------------------------------------------------------- node models


class NodeBase(BaseModel):
    """Properties every node has: a stable key, a name, aliases and provenance."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    id: str = Field(min_length=1, max_length=200, description="stable key, unique per key label")
    name: str = Field(min_length=1, max_length=500)
    aliases: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="where each fact came from")
    updated_at: str | None = None


class Located(NodeBase):
    region: str | None = Field(default=None, description="id of the Region node it is in")


class OrganizationProps(Located):
    uscc: str | None = Field(default=None, description="统一社会信用代码 (GB 32100-2015)")


class UniversityProps(OrganizationProps):
    #: the supervising level (部属 / 省属), as public sources state it
    affiliation: Literal["central", "provincial"] | None = None


class InstituteProps(OrganizationProps):
    affiliation: Literal["central", "provincial"] | None = None


class EnterpriseProps(OrganizationProps):
    ownership: Literal["central_soe", "provincial_soe", "private", "foreign"] | None = None
    high_tech: bool | None = None
    specialized_new: bool | None = None
    above_scale: bool | None = None


class AgencyProps(OrganizationProps):
    pass


class PlatformProps(Located):
    kind: str | None = Field(default=None, description="成果产业化平台, 技术交易服务平台, 技术转移机构 …")
    level: Literal["national", "provincial", "municipal"] | None = None


class BaseProps(Located):
    kind: str | None = Field(default=None, description="科技成果产业化基地, 高新区, 大学科技园, 孵化器 …")
    level: Literal["national", "provincial", "municipal"] | None = None


class FundProps(Located):
    kind: str | None = Field(default=None, description="政府引导基金, 子基金, 天使基金, 风险补偿")
    size_cny: float | None = Field(default=None, ge=0)


class AchievementProps(NodeBase):
    kind: Literal["patent", "technology", "product", "variety"] | None = None
    field: str | None = None
    year: int | None = Field(default=None, ge=1949, le=2100)
    status: Literal["stock", "transferring", "industrialized"] | None = None
    maturity: str | None = None


class AllianceProps(Located):
    kind: str | None = Field(default=None, description="产学研联盟, 产业技术创新联盟, 创新联合体")


class IndustryProps(NodeBase):
    level: Literal["category", "industry", "segment"] | None = None


class RegionProps(NodeBase):
    level: Literal["province", "city", "county"] | None = None


class PolicyProps(NodeBase):
    issuer: str | None = None
    date: str | None = None
    period: str | None = None


class TaskProps(NodeBase):
    number: str | None = Field(default=None, description="the section number in the plan, e.g. 2.1.1")
    policy: str | None = None


class TargetProps(NodeBase):
    metric: str | None = None
    value: float | None = None
    unit: str | None = None
    deadline: int | None = None
    baseline: float | None = None
    text: str | None = None
    accumulation: str | None = Field(default=None, description="四年累计, 累计, 年均, 每年: how the value accumulates")
    scope: str | None = Field(default=None, description="who or where it counts: 高等院校, 科研院所, 企业, 全省 …")
    qualifier: str | None = Field(default=None, description="以上, 左右, 余 …: how the value is bounded")
    policy: str | None = Field(default=None, description="id of the Policy that sets it")


@dataclass(frozen=True)
class NodeSpec:
    """What the ontology knows about one label."""

    label: Label
    model: type[NodeBase]
    #: the label whose ``id`` is unique and under which the node is MERGEd
    key_label: Label
    #: the extra labels a node of this kind always carries
    extra_labels: tuple[Label, ...] = ()


NODE_SPECS: dict[Label, NodeSpec] = {
    Label.UNIVERSITY: NodeSpec(Label.UNIVERSITY, UniversityProps, Label.ORGANIZATION, (Label.UNIVERSITY,)),
    Label.INSTITUTE: NodeSpec(Label.INSTITUTE, InstituteProps, Label.ORGANIZATION, (Label.INSTITUTE,)),
    Label.ENTERPRISE: NodeSpec(Label.ENTERPRISE, EnterpriseProps, Label.ORGANIZATION, (Label.ENTERPRISE,)),
    Label.AGENCY: NodeSpec(Label.AGENCY, AgencyProps, Label.ORGANIZATION, (Label.AGENCY,)),
    Label.ORGANIZATION: NodeSpec(Label.ORGANIZATION, OrganizationProps, Label.ORGANIZATION),
    Label.PLATFORM: NodeSpec(Label.PLATFORM, PlatformProps, Label.PLATFORM),
    Label.BASE: NodeSpec(Label.BASE, BaseProps, Label.BASE),
    Label.FUND: NodeSpec(Label.FUND, FundProps, Label.FUND),
    Label.ACHIEVEMENT: NodeSpec(Label.ACHIEVEMENT, AchievementProps, Label.ACHIEVEMENT),
    Label.ALLIANCE: NodeSpec(Label.ALLIANCE, AllianceProps, Label.ALLIANCE),
    Label.INDUSTRY: NodeSpec(Label.INDUSTRY, IndustryProps, Label.INDUSTRY),
    Label.REGION: NodeSpec(Label.REGION, RegionProps, Label.REGION),
    Label.POLICY: NodeSpec(Label.POLICY, PolicyProps, Label.POLICY),
    Label.TASK: NodeSpec(Label.TASK, TaskProps, Label.TASK),
    Label.TARGET: NodeSpec(Label.TARGET, TargetProps, Label.TARGET),
}

#: Labels whose ``id`` carries a uniqueness constraint (the key labels).
KEY_LABELS: tuple[Label, ...] = tuple(dict.fromkeys(spec.key_label for spec in NODE_SPECS.values()))

#: Labels with a human name that search looks at.
NAMED_LABELS: tuple[Label, ...] = KEY_LABELS


# --------------------------------------------------------------------------- relationship models


class EdgeBase(BaseModel):
    """Properties every edge may carry: when, and where the fact came from."""

    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(default=None, ge=1949, le=2100)
    since: int | None = Field(default=None, ge=1949, le=2100)
    sources: list[str] = Field(default_factory=list)
    updated_at: str | None = None


class TransferProps(EdgeBase):
    mode: Literal["转让", "许可", "作价入股", "合作实施"] | None = None
    amount_cny: float | None = Field(default=None, ge=0)


class CollaborationProps(EdgeBase):
    project: str | None = None


class MembershipProps(EdgeBase):
    role: Literal["lead", "member"] | None = None


class InvestmentProps(EdgeBase):
    amount_cny: float | None = Field(default=None, ge=0)


class MentionProps(EdgeBase):
    span: str | None = Field(default=None, description="the quoted text")
    start: int | None = Field(default=None, ge=0, description="character offset of the span")
    end: int | None = Field(default=None, ge=0)


_ORGS = (Label.ORGANIZATION,)
_ACTORS = (Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE)
_ANY = tuple(KEY_LABELS)


@dataclass(frozen=True)
class RelSpec:
    """What the ontology knows about one relationship type."""

    type: RelType
    start: tuple[Label, ...]
    end: tuple[Label, ...]
    model: type[EdgeBase] = EdgeBase
    #: properties that tell two parallel edges of this type apart
    key: tuple[str, ...] = ()
    doc: str = ""


REL_SPECS: dict[RelType, RelSpec] = {
    spec.type: spec
    for spec in (
        RelSpec(RelType.LOCATED_IN, _ANY, (Label.REGION,), doc="any → Region"),
        RelSpec(RelType.PART_OF, (Label.INDUSTRY, Label.REGION), (Label.INDUSTRY, Label.REGION),
                doc="Industry → Industry, Region → Region"),
        RelSpec(RelType.DEVELOPED, _ACTORS, (Label.ACHIEVEMENT,), doc="University|Institute|Enterprise → Achievement"),
        RelSpec(RelType.TRANSFERRED_TO, (Label.ACHIEVEMENT,), (Label.ENTERPRISE,), TransferProps,
                doc="Achievement → Enterprise"),
        RelSpec(RelType.IN_FIELD, (Label.ACHIEVEMENT,), (Label.INDUSTRY,), doc="Achievement → Industry"),
        RelSpec(RelType.IN_INDUSTRY, (Label.ENTERPRISE, Label.BASE, Label.PLATFORM, Label.ORGANIZATION,
                                       Label.FUND, Label.ALLIANCE),
                (Label.INDUSTRY,), doc="Enterprise|Base|Platform|Fund|Alliance (any organisation) → Industry"),
        RelSpec(RelType.UPSTREAM_OF, (Label.INDUSTRY,), (Label.INDUSTRY,), doc="Industry → Industry: the chain"),
        RelSpec(RelType.COLLABORATES_WITH, _ORGS, _ORGS, CollaborationProps, key=("project",),
                doc="Organization → Organization, joint R&D"),
        RelSpec(RelType.MEMBER_OF, _ORGS, (Label.ALLIANCE,), MembershipProps, doc="Organization → Alliance"),
        RelSpec(RelType.OPERATES, _ORGS, (Label.PLATFORM, Label.BASE), doc="Organization → Platform|Base"),
        RelSpec(RelType.HOSTS, (Label.BASE,), (Label.ENTERPRISE, Label.PLATFORM), doc="Base → Enterprise|Platform"),
        RelSpec(RelType.INCUBATED, (Label.BASE,), (Label.ENTERPRISE,), doc="Base → Enterprise"),
        RelSpec(RelType.SPUN_OFF_FROM, (Label.ENTERPRISE,), (Label.UNIVERSITY, Label.INSTITUTE),
                doc="Enterprise → University|Institute"),
        RelSpec(RelType.INVESTED_IN, (Label.FUND,), (Label.ENTERPRISE, Label.ACHIEVEMENT), InvestmentProps,
                key=("year",), doc="Fund → Enterprise|Achievement"),
        RelSpec(RelType.MANAGES, (Label.AGENCY,), (Label.FUND,), doc="Agency → Fund"),
        RelSpec(RelType.HAS_TASK, (Label.POLICY, Label.TASK), (Label.TASK,), doc="Policy|Task → Task"),
        RelSpec(RelType.LEADS, (Label.AGENCY,), (Label.TASK,), MentionProps, doc="Agency → Task"),
        RelSpec(RelType.SUPPORTS, (Label.AGENCY,), (Label.TASK,), MentionProps, doc="Agency → Task"),
        RelSpec(RelType.SETS, (Label.TASK, Label.POLICY), (Label.TARGET,), MentionProps, doc="Task|Policy → Target"),
        RelSpec(RelType.FOCUSES_ON, (Label.TASK,), (Label.INDUSTRY,), MentionProps, doc="Task → Industry"),
        RelSpec(RelType.MENTIONS, (Label.TASK, Label.POLICY), _ANY, MentionProps, doc="Task → any named entity"),
    )
}


# --------------------------------------------------------------------------- helpers

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def label(name: str | Label) -> Label:
    """The schema's label for ``name``; anything outside the enumeration is refused."""
    try:
        return Label(name)
    except ValueError:
        raise SchemaError(f"unknown label {name!r}; known: {', '.join(x.value for x in Label)}") from None


def rel_type(name: str | RelType) -> RelType:
    """The schema's relationship type for ``name``; anything else is refused."""
    try:
        return RelType(name)
    except ValueError:
        raise SchemaError(
            f"unknown relationship type {name!r}; known: {', '.join(x.value for x in RelType)}"
        ) from None


def cypher_label(name: str | Label) -> str:
    """A label checked against the enumeration and safe to place in Cypher text."""
    value = label(name).value
    assert _IDENT.match(value)  # enumeration values are identifiers by construction
    return value


def cypher_rel(name: str | RelType) -> str:
    """A relationship type checked against the enumeration and safe to place in Cypher text."""
    value = rel_type(name).value
    assert _IDENT.match(value)
    return value


def node_spec(name: str | Label) -> NodeSpec:
    lbl = label(name)
    return NODE_SPECS[lbl]


def rel_spec(name: str | RelType) -> RelSpec:
    return REL_SPECS[rel_type(name)]


def labels_of(name: str | Label) -> tuple[Label, ...]:
    """All labels a node of kind ``name`` carries, key label first."""
    spec = node_spec(name)
    return (spec.key_label, *[x for x in spec.extra_labels if x != spec.key_label])


def property_names(name: str | Label) -> tuple[str, ...]:
    return tuple(node_spec(name).model.model_fields)


@dataclass(frozen=True)
class IndexSpec:
    """An index the engines need: unique key, exact lookup or full-text name search."""

    kind: Literal["unique", "lookup", "fulltext"]
    label: Label
    properties: tuple[str, ...] = field(default_factory=tuple)


def index_specs() -> list[IndexSpec]:
    """The indexes and constraints of the ontology, independent of engine."""
    specs: list[IndexSpec] = []
    for lbl in KEY_LABELS:
        specs.append(IndexSpec("unique", lbl, ("id",)))
        specs.append(IndexSpec("lookup", lbl, ("name",)))
        specs.append(IndexSpec("lookup", lbl, ("aliases",)))
    specs.append(IndexSpec("lookup", Label.ORGANIZATION, ("uscc",)))
    for lbl in (Label.ACHIEVEMENT,):
        specs.append(IndexSpec("lookup", lbl, ("status",)))
    # name search: the derived bigram keys (graph/search_keys.py) in a whitespace full-text index
    for lbl in NAMED_LABELS:
        specs.append(IndexSpec("fulltext", lbl, ("search_keys",)))
    return specs
