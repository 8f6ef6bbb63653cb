"""Column layouts: one per node kind and per relationship type, built from the schema.

A layout says which columns a file of one kind has, with the Chinese and
English header names accepted for each, its type and whether it is required.
Node layouts take their properties from the schema's pydantic models and edge
layouts from the relationship specs, so a property added to the schema shows
up here (and in the templates and ``docs/ingest.md``) without further edits;
``FIELDS`` only adds the human header names.

How a file's kind is found (``detect_layout``): ``--kind`` if given; otherwise
every layout is scored by how many of the file's headers it knows, among the
layouts whose required columns are all present; a file name that names a kind
(``enterprises.csv``, ``企业.xlsx``, ``transfers_2024.xlsx``) breaks ties, and a
``kind`` column whose values are organisation kinds (University, 企业 …) marks
a mixed organisation file.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from graph.errors import InputError
from graph.schema import (
    LABEL_ZH,
    NODE_SPECS,
    REL_SPECS,
    REL_ZH,
    Label,
    RelType,
)
from ingest.normalize import header_unit, norm_header

ColType = Literal["text", "list", "bool", "int", "year", "number", "amount", "enum", "uscc", "ref", "refs", "label"]


@dataclass(frozen=True)
class Column:
    """One column of a layout."""

    field: str
    zh: str
    en: str
    type: ColType
    required: bool = False
    synonyms: tuple[str, ...] = ()
    #: for enum columns: canonical value → accepted spellings (Chinese and English)
    choices: dict[str, tuple[str, ...]] | None = None
    #: for ref/refs columns: the labels the referenced node may have
    targets: tuple[Label, ...] = ()
    #: for ref/refs columns of node layouts: the edge each reference becomes
    rel: RelType | None = None
    #: True when the ref points from the referenced node to this row's node (PART_OF parent is not)
    description: str = ""
    example: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.field, *self.synonyms)

    def choice_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for value, spellings in (self.choices or {}).items():
            for s in (value, *spellings):
                out[_norm_choice(s)] = value
        return out


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file."""

    name: str
    zh: str
    role: Literal["node", "edge", "alias"]
    columns: tuple[Column, ...]
    #: node layouts: the label of every row (None for the mixed organisation layout)
    label: Label | None = None
    #: mixed layout: the labels a row's ``kind`` may pick
    labels: tuple[Label, ...] = ()
    rel: RelType | None = None
    #: words a file name may contain to name this kind
    hints: tuple[str, ...] = ()
    description: str = ""
    header_index: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.field == name:
                return col
        raise KeyError(name)

    def match_header(self, header: str) -> tuple[Column | None, float]:
        """The column a header names, and the money unit written in it (``金额（万元）``)."""
        key = norm_header(header)
        col = self.header_index.get(key)
        if col is not None:
            return col, 1.0
        base, unit = header_unit(str(header))
        col = self.header_index.get(norm_header(base))
        if col is not None:
            return col, unit
        # "名称(name)" / "名称 name": either half names the column
        m = re.match(r"^(.*?)[(\[](.*)[)\]]$", unicodedata.normalize("NFKC", str(header)).strip())
        if m:
            for part in m.groups():
                col = self.header_index.get(norm_header(part))
                if col is not None:
                    return col, 1.0
        return None, 1.0


def _norm_choice(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).lower())


# --------------------------------------------------------------------------- header names of properties

# field → (Chinese header, English header, other accepted headers, example, description)
FIELDS: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "id": ("编号", "id", ("标识", "代码编号", "key"), "", "stable key; derived from USCC or name when empty"),
    "name": ("名称", "name", ("机构名称", "单位名称", "企业名称", "全称", "名字", "title"), "", "full name"),
    "aliases": ("别名", "aliases", ("简称", "曾用名", "alias", "其他名称"), "", "short or former names, `|`-separated"),
    "region": ("所在地区", "region", ("地区", "所在地", "所属地区", "所在市", "市地", "region_id", "城市"),
               "region:harbin", "Region id or name (哈尔滨市, 哈市 …)"),
    "uscc": ("统一社会信用代码", "uscc", ("信用代码", "社会信用代码", "credit_code"), "",
             "18 characters, check digit per GB 32100-2015"),
    "affiliation": ("隶属关系", "affiliation", ("隶属", "主管层级", "归属"), "provincial", ""),
    "ownership": ("企业性质", "ownership", ("所有制", "所有制性质", "企业类型", "经济类型"), "private", ""),
    "high_tech": ("高新技术企业", "high_tech", ("是否高新技术企业", "高企", "是否高企", "高新"), "是", "yes/no"),
    "specialized_new": ("专精特新", "specialized_new", ("是否专精特新", "专精特新企业", "专精特新中小企业"), "否", "yes/no"),
    "above_scale": ("规模以上", "above_scale", ("是否规上", "规上企业", "是否规模以上", "规上"), "否", "yes/no"),
    "kind": ("类型", "type", ("类别", "种类", "成果类型", "subtype"), "", ""),
    "level": ("级别", "level", ("层级", "等级"), "", ""),
    "size_cny": ("规模", "size_cny", ("基金规模", "总规模", "规模（元）", "size"), "5亿元",
                 "amount in 元; a unit in the header or cell (万元, 亿元) is applied"),
    "field": ("技术领域", "field", ("领域", "学科领域"), "新材料", ""),
    "year": ("年份", "year", ("年度", "时间", "日期"), "2024", "a year, 1949 to next year"),
    "since": ("起始年份", "since", ("加入年份", "成立年份", "开始年份"), "2021", "a year, 1949 to next year"),
    "status": ("转化状态", "status", ("状态", "产业化状态"), "stock", ""),
    "maturity": ("成熟度", "maturity", ("技术成熟度", "trl"), "", ""),
    "issuer": ("发文机关", "issuer", ("发布机关", "发布单位"), "", ""),
    "date": ("日期", "date", ("发布日期", "印发日期"), "", ""),
    "period": ("期限", "period", ("实施期限",), "", ""),
    "number": ("序号", "number", ("条目编号", "章节号"), "", ""),
    "policy": ("所属政策", "policy", (), "", ""),
    "metric": ("指标", "metric", (), "", ""),
    "value": ("目标值", "value", ("数值",), "", ""),
    "unit": ("单位", "unit", ("计量单位",), "", ""),
    "deadline": ("截止年份", "deadline", ("期限年份",), "", ""),
    "baseline": ("基期值", "baseline", ("基线",), "", ""),
    "text": ("原文", "text", (), "", ""),
    "accumulation": ("累计方式", "accumulation", ("口径",), "", "四年累计, 累计, 年均, 每年"),
    "scope": ("统计范围", "scope", ("范围", "适用范围"), "", "高等院校, 科研院所, 企业, 全省 …"),
    "qualifier": ("限定", "qualifier", ("限定词",), "", "以上, 左右, 余 …"),
    "mode": ("转化方式", "mode", ("方式", "转让方式"), "许可", ""),
    "amount_cny": ("金额", "amount_cny", ("合同金额", "成交额", "投资金额", "交易金额", "amount"), "300万元",
                   "amount in 元; a unit in the header or cell (万元, 亿元) is applied"),
    "project": ("项目", "project", ("项目名称", "合作项目"), "", "tells parallel collaborations apart"),
    "role": ("角色", "role", ("成员类型", "身份"), "member", ""),
    "span": ("原文片段", "span", (), "", ""),
    "start": ("起始位置", "start_offset", (), "", ""),
    "end": ("结束位置", "end_offset", (), "", ""),
    "source": ("来源", "source", ("数据来源", "出处", "sources"), "",
               "where the fact is stated (URL or document); several separated by `;` or `|`"),
}

# canonical value → accepted spellings; Chinese first
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "ownership": {
        "central_soe": ("央企", "中央企业", "中央国有企业", "央属国企", "中央国企", "central soe", "central-soe"),
        "provincial_soe": ("省属国企", "省属国有企业", "省国企", "地方国企", "地方国有企业", "省属", "provincial soe"),
        "private": ("民营", "私营", "民营企业", "私营企业", "民企", "民营控股"),
        "foreign": ("外资", "外资企业", "外商投资", "外商独资", "外企", "外商投资企业"),
    },
    "affiliation": {
        "central": ("中央", "中直", "中央级", "部属", "中央直属", "中直院所", "部委属"),
        "provincial": ("省属", "省级", "省直", "省直属"),
    },
    "level": {
        "national": ("国家级", "国家", "国家级平台"),
        "provincial": ("省级", "省"),
        "municipal": ("市级", "市", "市地级"),
    },
    "Achievement.kind": {
        "patent": ("专利", "发明专利", "实用新型"),
        "technology": ("技术", "技术成果", "工艺"),
        "product": ("产品", "新产品"),
        "variety": ("品种", "新品种", "植物新品种", "动植物品种"),
    },
    "status": {
        "stock": ("存量", "未转化", "待转化", "存量成果"),
        "transferring": ("转化中", "正在转化", "转化阶段"),
        "industrialized": ("已产业化", "产业化", "已转化", "已实现产业化"),
    },
    "Industry.level": {
        "category": ("门类", "大类", "类别"),
        "industry": ("产业", "行业"),
        "segment": ("细分", "细分领域", "环节", "细分产业", "产业环节"),
    },
    "Region.level": {
        "province": ("省", "省级"),
        "city": ("市", "地区", "市(地)", "市地", "地级市", "地级", "prefecture"),
        "county": ("县", "区", "县区", "县级市", "区县", "县级", "district"),
    },
    "mode": {
        "转让": ("技术转让", "专利转让", "transfer", "assignment", "sale"),
        "许可": ("技术许可", "专利许可", "普通许可", "独占许可", "排他许可", "license", "licence", "licensing"),
        "作价入股": ("作价投资", "入股", "equity", "equity investment"),
        "合作实施": ("合作转化", "联合实施", "cooperation", "joint implementation"),
    },
    "role": {
        "lead": ("牵头", "牵头单位", "理事长单位", "发起单位", "lead"),
        "member": ("成员", "成员单位", "会员", "会员单位", "理事单位"),
    },
}

#: How the ``kind`` column of a mixed organisation file names each label.
LABEL_CHOICES: dict[Label, tuple[str, ...]] = {
    Label.UNIVERSITY: ("高等院校", "高校", "大学", "院校", "学校", "university"),
    Label.INSTITUTE: ("科研院所", "研究院所", "研究所", "研究院", "科研机构", "institute"),
    Label.ENTERPRISE: ("企业", "公司", "enterprise", "company"),
    Label.AGENCY: ("政府部门", "政府机构", "部门", "机关", "agency"),
    Label.PLATFORM: ("平台", "创新平台", "platform"),
    Label.BASE: ("载体", "基地", "园区", "载体/基地", "base"),
    Label.FUND: ("基金", "fund"),
    Label.ALLIANCE: ("联盟", "alliance"),
}
MIXED_LABELS: tuple[Label, ...] = tuple(LABEL_CHOICES)

# Layout names and the words that name them in file names and --kind.
NODE_NAMES: dict[Label, tuple[str, tuple[str, ...]]] = {
    Label.REGION: ("region", ("regions", "地区", "行政区划")),
    Label.INDUSTRY: ("industry", ("industries", "产业", "产业目录")),
    Label.UNIVERSITY: ("university", ("universities", "高校", "高等院校", "大学")),
    Label.INSTITUTE: ("institute", ("institutes", "科研院所", "院所", "研究所")),
    Label.ENTERPRISE: ("enterprise", ("enterprises", "companies", "企业", "企业名单")),
    Label.AGENCY: ("agency", ("agencies", "政府部门", "部门")),
    Label.PLATFORM: ("platform", ("platforms", "平台")),
    Label.BASE: ("base", ("bases", "载体", "基地", "园区")),
    Label.FUND: ("fund", ("funds", "基金")),
    Label.ACHIEVEMENT: ("achievement", ("achievements", "成果", "科技成果")),
    Label.ALLIANCE: ("alliance", ("alliances", "联盟")),
    Label.POLICY: ("policy", ("policies", "政策")),
    Label.TASK: ("task", ("tasks", "任务")),
    Label.TARGET: ("target", ("targets", "目标")),
}

# relationship type → (start column zh, en, synonyms), (end column zh, en, synonyms), file-name words
REL_COLUMNS: dict[RelType, tuple[tuple[str, str, tuple[str, ...]], tuple[str, str, tuple[str, ...]], tuple[str, ...]]] = {
    RelType.LOCATED_IN: (("实体", "entity", ("机构",)), ("所在地区", "region", ("地区", "region_id")),
                         ("locations", "located", "所在地")),
    RelType.PART_OF: (("下级", "child", ("child_id",)), ("上级", "parent", ("parent_id", "所属")),
                      ("part_of", "hierarchy", "隶属")),
    RelType.DEVELOPED: (("研发单位", "developer", ("完成单位", "研发机构", "developer_id")),
                        ("成果", "achievement", ("成果名称", "achievement_id", "成果编号")),
                        ("developed", "developments", "研发")),
    RelType.TRANSFERRED_TO: (("成果", "achievement", ("成果名称", "achievement_id", "成果编号")),
                             ("受让企业", "enterprise", ("承接企业", "受让方", "enterprise_id", "企业")),
                             ("transfers", "transferred", "成果转化", "技术转让", "转化")),
    RelType.IN_FIELD: (("成果", "achievement", ("成果名称", "achievement_id")),
                       ("所属产业", "industry", ("产业", "industry_id", "产业领域")),
                       ("in_field", "fields", "成果领域")),
    RelType.IN_INDUSTRY: (("机构", "entity", ("单位", "entity_id")),
                          ("所属产业", "industry", ("产业", "industry_id", "产业领域")),
                          ("in_industry", "industry_links", "所属产业")),
    RelType.UPSTREAM_OF: (("上游产业", "upstream", ("上游", "upstream_id")),
                          ("下游产业", "downstream", ("下游", "downstream_id")),
                          ("industry_chain", "chain", "upstream", "产业链")),
    RelType.COLLABORATES_WITH: (("合作方A", "org_a", ("机构A", "合作单位A", "甲方")),
                                ("合作方B", "org_b", ("机构B", "合作单位B", "乙方")),
                                ("collaborations", "collaborates", "合作", "产学研合作")),
    RelType.MEMBER_OF: (("成员单位", "member", ("成员", "member_id")),
                        ("联盟", "alliance", ("联盟名称", "alliance_id")),
                        ("memberships", "members", "联盟成员")),
    RelType.OPERATES: (("运营单位", "operator", ("依托单位", "建设单位", "operator_id")),
                       ("平台或载体", "facility", ("平台", "载体", "facility_id")),
                       ("operates", "operations", "运营")),
    RelType.HOSTS: (("载体", "base", ("园区", "基地", "base_id")),
                    ("入驻单位", "tenant", ("入驻企业", "tenant_id")),
                    ("hosts", "tenants", "入驻")),
    RelType.INCUBATED: (("孵化载体", "incubator", ("孵化器", "incubator_id")),
                        ("孵化企业", "enterprise", ("在孵企业", "毕业企业", "enterprise_id")),
                        ("incubations", "incubated", "孵化")),
    RelType.SPUN_OFF_FROM: (("衍生企业", "enterprise", ("enterprise_id",)),
                            ("来源单位", "origin", ("母体单位", "依托院校", "origin_id")),
                            ("spinoffs", "spun_off", "衍生")),
    RelType.INVESTED_IN: (("基金", "fund", ("投资基金", "fund_id")),
                          ("投资对象", "investee", ("被投企业", "被投对象", "investee_id")),
                          ("investments", "invested", "投资")),
    RelType.MANAGES: (("主管部门", "agency", ("管理部门", "agency_id")), ("基金", "fund", ("fund_id",)),
                      ("manages", "management", "管理")),
    RelType.HAS_TASK: (("上级", "parent", ("parent_id",)), ("任务", "task", ("task_id",)), ("has_task",)),
    RelType.LEADS: (("牵头部门", "agency", ("agency_id",)), ("任务", "task", ("task_id",)), ("leads",)),
    RelType.SUPPORTS: (("配合部门", "agency", ("agency_id",)), ("任务", "task", ("task_id",)), ("supports",)),
    RelType.SETS: (("任务或政策", "owner", ("owner_id",)), ("目标", "target", ("target_id",)), ("sets",)),
    RelType.FOCUSES_ON: (("任务", "task", ("task_id",)), ("产业", "industry", ("industry_id",)), ("focuses_on",)),
    RelType.MENTIONS: (("任务或政策", "owner", ("owner_id",)), ("提及对象", "entity", ("entity_id",)), ("mentions",)),
}

_GENERIC_START = ("起点", "start", "from", "start_id", "from_id")
_GENERIC_END = ("终点", "end", "to", "end_id", "to_id")
_SKIP_FIELDS = {"sources", "updated_at"}


# --------------------------------------------------------------------------- building layouts from the schema


def _strip_optional(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _column_for(owner: str, name: str, annotation: Any, *, required: bool = False, doc: str | None = None) -> Column:
    """A column for one property of a schema model; its type follows the annotation."""
    zh, en, synonyms, example, description = FIELDS.get(name, (name, name, (), "", ""))
    description = description or doc or ""
    ann = _strip_optional(annotation)
    origin = typing.get_origin(ann)
    choices = None
    if origin is Literal:
        ctype: ColType = "enum"
        values = typing.get_args(ann)
        table = CHOICES.get(f"{owner}.{name}") or CHOICES.get(name) or {}
        choices = {v: tuple(table.get(v, ())) for v in values}
        example = example if example in values else values[0]
    elif origin is list:
        ctype = "list"
    elif ann is bool:
        ctype = "bool"
    elif ann is int:
        ctype = "year" if name in ("year", "since", "deadline") else "int"
    elif ann is float:
        ctype = "amount" if name.endswith("_cny") else "number"
    elif name == "uscc":
        ctype = "uscc"
    else:
        ctype = "text"
    return Column(name, zh, en, ctype, required=required, synonyms=synonyms, choices=choices,
                  description=description, example=example)


def _source_column() -> Column:
    zh, en, synonyms, example, description = FIELDS["source"]
    return Column("source", zh, en, "list", synonyms=synonyms, description=description, example=example)


def _industries_column() -> Column:
    return Column("industries", "所属产业", "industries", "refs",
                  synonyms=("产业", "产业领域", "industry_ids", "industry", "所属行业", "行业"),
                  targets=(Label.INDUSTRY,), rel=RelType.IN_INDUSTRY,
                  description="Industry ids or names, `|`-separated (IN_INDUSTRY edges)", example="ind:graphite")


def _in_industry_allowed(lbl: Label) -> bool:
    spec = REL_SPECS[RelType.IN_INDUSTRY]
    return lbl in spec.start or NODE_SPECS[lbl].key_label in spec.start


#: how spreadsheets of one kind name their name column (成果名称, 企业名称 …); ids are "<word>编号"
_NAME_WORDS: dict[Label, tuple[str, ...]] = {
    Label.ACHIEVEMENT: ("成果", "项目"), Label.PLATFORM: ("平台",), Label.BASE: ("载体", "基地", "园区"),
    Label.FUND: ("基金",), Label.ALLIANCE: ("联盟",), Label.INDUSTRY: ("产业", "行业"), Label.REGION: ("地区",),
    Label.UNIVERSITY: ("学校", "高校", "院校"), Label.INSTITUTE: ("院所", "单位"), Label.ENTERPRISE: ("企业", "公司"),
    Label.AGENCY: ("部门", "单位"), Label.POLICY: ("政策", "文件"), Label.TASK: ("任务",), Label.TARGET: ("目标",),
}


def _node_columns(lbl: Label) -> list[Column]:
    model = NODE_SPECS[lbl].model
    cols: list[Column] = []
    words = _NAME_WORDS.get(lbl, ())
    for name, info in model.model_fields.items():
        if name in _SKIP_FIELDS:
            continue
        if name in ("id", "name"):
            col = _column_for(lbl.value, name, info.annotation, required=(name == "name"), doc=info.description)
            suffix = "编号" if name == "id" else "名称"
            extra = tuple(f"{w}{suffix}" for w in words if f"{w}{suffix}" not in col.synonyms)
            cols.append(Column(**{**col.__dict__, "synonyms": (*col.synonyms, *extra)}))
            continue
        if name == "region":
            cols.append(Column("region", *FIELDS["region"][:2], "ref", synonyms=FIELDS["region"][2],
                               targets=(Label.REGION,), rel=RelType.LOCATED_IN,
                               description=FIELDS["region"][4] + "; also a LOCATED_IN edge",
                               example=FIELDS["region"][3]))
            continue
        col = _column_for(lbl.value, name, info.annotation, required=(name == "name"), doc=info.description)
        if name == "kind" and lbl == Label.ACHIEVEMENT:
            col = Column(**{**col.__dict__, "zh": "成果类型", "synonyms": ("类型", "类别", "kind")})
        elif name == "level" and lbl == Label.REGION:
            col = Column(**{**col.__dict__, "synonyms": (*col.synonyms, "kind", "类型", "行政级别")})
        cols.append(col)
    if lbl in (Label.REGION, Label.INDUSTRY):
        cols.append(Column("parent", "上级", "parent", "ref", synonyms=("parent_id", "上级编号", "所属", "上级地区",
                                                                      "上级产业"),
                           targets=(lbl,), rel=RelType.PART_OF,
                           description=f"id or name of the parent {lbl.value} (PART_OF edge)",
                           example="region:hlj" if lbl == Label.REGION else "ind:graphite"))
    if _in_industry_allowed(lbl) and lbl != Label.INDUSTRY:
        cols.append(_industries_column())
    cols.append(_source_column())
    return cols


def _mixed_columns() -> list[Column]:
    """The mixed organisation layout: the union of the columns of every organisation kind."""
    cols: dict[str, Column] = {}
    kind_col = Column("label", "机构类别", "kind", "label", required=True,
                      synonyms=("机构类型", "主体类型", "label", "类别"),
                      choices={lbl.value: LABEL_CHOICES[lbl] for lbl in MIXED_LABELS},
                      description="which kind of organisation the row is", example="Enterprise")
    for lbl in MIXED_LABELS:
        for col in _node_columns(lbl):
            if col.field == "kind":
                # the subtype of platforms, bases, funds and alliances (成果产业化平台 …)
                col = Column(**{**col.__dict__, "field": "subtype", "synonyms": ("类型", "subtype", "子类型"),
                                "zh": "类型", "en": "type",
                                "description": "subtype of a Platform, Base, Fund or Alliance (孵化器, 天使基金 …)"})
            if col.field not in cols:
                cols[col.field] = col
            elif col.type == "enum" and cols[col.field].choices != col.choices:
                merged = dict(cols[col.field].choices or {})
                merged.update(col.choices or {})
                cols[col.field] = Column(**{**cols[col.field].__dict__, "choices": merged})
    ordered = [cols.pop("id"), cols.pop("name"), kind_col]
    source = cols.pop("source")
    return [*ordered, *cols.values(), source]


def _edge_columns(rel: RelType) -> list[Column]:
    spec = REL_SPECS[rel]
    (szh, sen, ssyn), (ezh, een, esyn), _ = REL_COLUMNS[rel]
    start_targets = spec.start
    end_targets = spec.end
    cols = [
        Column("from", szh, sen, "ref", required=True, synonyms=(*ssyn, *_GENERIC_START), targets=start_targets,
               description=f"id, name or alias of the {'|'.join(x.value for x in start_targets)}"),
        Column("to", ezh, een, "ref", required=True, synonyms=(*esyn, *_GENERIC_END), targets=end_targets,
               description=f"id, name or alias of the {'|'.join(x.value for x in end_targets)}"),
    ]
    for name, info in spec.model.model_fields.items():
        if name in _SKIP_FIELDS:
            continue
        cols.append(_column_for(rel.value, name, info.annotation, doc=info.description))
    cols.append(_source_column())
    return cols


def _alias_columns() -> list[Column]:
    return [
        Column("alias", "简称", "alias", "text", required=True, synonyms=("别名", "曾用名", "其他名称"),
               description="the other name", example="哈工大"),
        Column("name", "全称", "name", "text", required=True, synonyms=("名称", "标准名称", "canonical"),
               description="the full name (or id) it stands for", example="哈尔滨工业大学"),
        _source_column(),
    ]


def _index(layout: Layout) -> Layout:
    for col in layout.columns:
        for h in col.headers:
            key = norm_header(h)
            if key and key not in layout.header_index:
                layout.header_index[key] = col
    return layout


@lru_cache(maxsize=1)
def layouts() -> dict[str, Layout]:
    """Every layout by name: node kinds, ``organization`` (mixed), relationship types, ``alias``."""
    out: dict[str, Layout] = {}
    for lbl, (name, hints) in NODE_NAMES.items():
        out[name] = _index(Layout(name, LABEL_ZH[lbl], "node", tuple(_node_columns(lbl)), label=lbl, hints=hints,
                                  description=f"{LABEL_ZH[lbl]} ({lbl.value}) nodes"))
    out["organization"] = _index(Layout(
        "organization", "机构（混合）", "node", tuple(_mixed_columns()), labels=MIXED_LABELS,
        hints=("organizations", "organisations", "orgs", "机构", "机构名单", "主体"),
        description="organisations of several kinds in one file; the `kind` column picks each row's label"))
    for rel in RelType:
        name = rel.value.lower()
        out[name] = _index(Layout(name, REL_ZH[rel], "edge", tuple(_edge_columns(rel)), rel=rel,
                                  hints=REL_COLUMNS[rel][2], description=f"{REL_ZH[rel]}: {REL_SPECS[rel].doc}"))
    out["alias"] = _index(Layout("alias", "简称/别名表", "alias", tuple(_alias_columns()),
                                 hints=("aliases", "alias", "简称", "别名"),
                                 description="other names of entities, used to resolve rows and stored on the node"))
    return out


def layout(name: str) -> Layout:
    """The layout called ``name`` (or one of its file-name words); ``InputError`` lists the known ones."""
    key = name.strip().lower().replace("-", "_")
    table = layouts()
    if key in table:
        return table[key]
    for lay in table.values():
        if key in (h.lower() for h in lay.hints):
            return lay
    raise InputError(f"unknown kind {name!r}; known kinds: {', '.join(table)}")


# --------------------------------------------------------------------------- detection


def _name_words(stem: str) -> list[str]:
    s = unicodedata.normalize("NFKC", stem).lower()
    return [w for w in re.split(r"[\s_\-.()\[\]0-9]+", s) if w]


def _hinted(lay: Layout, stem: str) -> bool:
    words = _name_words(stem)
    s = unicodedata.normalize("NFKC", stem).lower()
    for hint in (lay.name, *lay.hints):
        h = hint.lower()
        if h in words or (not h.isascii() and h in s) or s.replace("-", "_").startswith(h + "_") or s == h:
            return True
    return False


def _looks_mixed(rows: list[dict[str, Any]], headers: list[str]) -> bool:
    mixed = layouts()["organization"]
    kind_headers = [h for h in headers if mixed.match_header(h)[0] is not None
                    and mixed.match_header(h)[0].field == "label"]
    if not kind_headers:
        return False
    allowed = mixed.column("label").choice_map()
    values = [r.get(kind_headers[0]) for r in rows[:50] if r.get(kind_headers[0]) not in (None, "")]
    return bool(values) and all(_norm_choice(str(v)) in allowed for v in values)


def detect_layout(headers: list[str], stem: str, sample: list[dict[str, Any]] | None = None) -> Layout:
    """The layout of a file with these ``headers`` and file-name ``stem`` (see the module doc)."""
    table = layouts()
    scored: list[tuple[tuple[int, int], int, str]] = []
    for lay in table.values():
        matched: set[str] = set()
        unknown = 0
        for h in headers:
            col, _ = lay.match_header(h)
            if col is None:
                unknown += 1
            else:
                matched.add(col.field)
        if all(c.field in matched for c in lay.columns if c.required) and matched - {"source"}:
            required = sum(1 for c in lay.columns if c.required)
            # more known headers wins; among equals, the layout whose required columns they are
            scored.append(((len(matched) - unknown, required), int(_hinted(lay, stem)), lay.name))
    if not scored:
        raise InputError(
            f"cannot tell what kind of data {stem!r} holds from its headers ({', '.join(map(str, headers))}); "
            "use the documented headers (see `innograph template KIND`) or pass --kind"
        )
    hinted = [s for s in scored if s[1]]
    pool = hinted or scored
    if "organization" in {s[2] for s in pool} and _looks_mixed(sample or [], headers):
        return table["organization"]
    pool = [s for s in pool if s[2] != "organization"] or pool
    best = max(s[0] for s in pool)
    top = sorted(s[2] for s in pool if s[0] == best)
    if len(top) > 1:
        raise InputError(
            f"the headers of {stem!r} fit several kinds ({', '.join(top)}); name the file after its kind "
            f"(e.g. {top[0]}s.csv) or pass --kind"
        )
    return table[top[0]]
