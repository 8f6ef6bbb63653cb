"""Word lists of the genre: how Chinese plans name places, government bodies, quantities and organisations.

Nothing here comes from one particular document: these are the general
conventions of Chinese government writing (province names, the standard
abbreviations of departments, measure words, the verbs that introduce a
target), shared by every 行动计划 / 实施方案 / 若干措施 of any province or city.
"""

from __future__ import annotations

import re

CJK = "\u4e00-\u9fff"

#: Provincial-level divisions: full name and the short form used before a body (黑龙江银保监局).
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"), ("天津市", "天津"), ("上海市", "上海"), ("重庆市", "重庆"),
    ("河北省", "河北"), ("山西省", "山西"), ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"), ("浙江省", "浙江"), ("安徽省", "安徽"), ("福建省", "福建"), ("江西省", "江西"),
    ("山东省", "山东"), ("河南省", "河南"), ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"),
    ("海南省", "海南"), ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"), ("陕西省", "陕西"),
    ("甘肃省", "甘肃"), ("青海省", "青海"), ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"), ("广西壮族自治区", "广西"), ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
)

#: Provincial capitals and sub-provincial cities: common anchors of organisation names (哈尔滨工业大学).
MAJOR_CITIES: tuple[str, ...] = (
    "哈尔滨", "长春", "沈阳", "大连", "石家庄", "太原", "呼和浩特", "南京", "苏州", "杭州", "宁波", "合肥",
    "福州", "厦门", "南昌", "济南", "青岛", "郑州", "武汉", "长沙", "广州", "深圳", "南宁", "海口", "成都",
    "贵阳", "昆明", "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐",
)

# --------------------------------------------------------------------------- government bodies

#: Standard abbreviations of department names → the full form (both directions resolve to one key).
DEPARTMENT_EXPANSIONS: tuple[tuple[str, str], ...] = (
    ("发展改革委", "发展和改革委员会"), ("发改委", "发展和改革委员会"), ("发展改革局", "发展和改革局"),
    ("发改局", "发展和改革局"),
    ("科技厅", "科学技术厅"), ("科技局", "科学技术局"), ("科技委", "科学技术委员会"),
    ("工信厅", "工业和信息化厅"), ("工信局", "工业和信息化局"), ("经信委", "经济和信息化委员会"),
    ("工业和信息化委", "工业和信息化委员会"),
    ("人力资源社会保障", "人力资源和社会保障"), ("人社厅", "人力资源和社会保障厅"), ("人社局", "人力资源和社会保障局"),
    ("住建厅", "住房和城乡建设厅"), ("住建局", "住房和城乡建设局"), ("住房城乡建设", "住房和城乡建设"),
    ("卫健委", "卫生健康委员会"), ("卫生健康委", "卫生健康委员会"),
    ("国资委", "国有资产监督管理委员会"), ("文旅厅", "文化和旅游厅"), ("文旅局", "文化和旅游局"),
    ("外办", "外事办公室"), ("网信办", "网络安全和信息化委员会办公室"), ("编办", "机构编制委员会办公室"),
    ("市场监管", "市场监督管理"), ("金融监管", "金融监督管理"), ("药监局", "药品监督管理局"),
    ("医保局", "医疗保障局"), ("林草局", "林业和草原局"), ("自然资源厅", "自然资源厅"),
    ("交通厅", "交通运输厅"), ("农业厅", "农业农村厅"), ("统计厅", "统计局"),
)

#: First words of a department's body (after 省/市/…): what makes ``省科技厅`` a department in running text.
DEPARTMENT_VOCABULARY: tuple[str, ...] = (
    "科技", "科学技术", "工信", "工业和信息化", "工业", "经信", "经济和信息化", "教育", "发改", "发展改革", "发展和改革",
    "财政", "人社", "人力资源", "商务", "农业", "农村", "国资", "国有资产", "市场监管", "市场监督", "知识产权",
    "金融", "地方金融", "税务", "统计", "外办", "外事", "卫健", "卫生", "生态环境", "环境", "自然资源", "住建",
    "住房", "交通", "水利", "文旅", "文化", "应急", "林草", "林业", "医保", "医疗保障", "体育", "民政", "司法",
    "公安", "审计", "退役军人", "政务服务", "营商环境", "大数据", "数据", "网信", "通信管理", "气象", "粮食",
    "能源", "药监", "药品监督", "军民融合", "国防科工", "科协", "人防", "信访", "编办", "组织部", "宣传部",
    "统战部", "政法委", "机关事务", "广电", "广播电视", "新闻出版", "海关", "邮政", "证监", "银保监", "国动",
    "科技创新", "科技成果", "创新", "产业", "投资促进", "招商", "口岸", "侨务", "妇联", "总工会", "团委",
)

#: Suffixes a government body ends with (longest first), used where the context says "a list of bodies".
GOV_SUFFIXES: tuple[str, ...] = (
    "工作领导小组办公室", "领导小组办公室", "工作领导小组", "领导小组", "管理委员会", "委员会", "人民政府",
    "营业管理部", "中心支行", "监管分局", "监管局", "管理总局", "管理局", "税务局", "办公厅", "办公室",
    "管委会", "行署", "政府", "总局", "分行", "支行", "科协", "总工会", "妇联", "团省委", "团市委",
    "厅", "局", "委", "办", "部", "署", "院", "处", "中心", "海关",
)

#: A government-body suffix at the end of a name, optionally followed by a bracketed alternative ``(行署)``.
GOV_NAME_END = re.compile(
    "(?:" + "|".join(map(re.escape, GOV_SUFFIXES)) + r")(?:\([" + CJK + r"、]{1,6}\))?$"
)

#: What may start a department name in running text.
DEPARTMENT_PREFIXES: tuple[str, ...] = ("省委", "市委", "区委", "县委", "州委", "省", "市", "区", "县", "州", "盟", "旗")

#: Words that never start a name, though they look like a region prefix (省级, 省属, 市场 …).
NOT_A_REGION_PREFIX = re.compile(r"^(?:省级|省属|省内|省外(?!办|事)|省直|省市(?!场)|省部|省际|省会|市级|市属|市场|市地|市县|市域|"
                                 r"区域|区级|县级|县域|区县级|州级)")

# --------------------------------------------------------------------------- quantities and targets

#: Measure words of targets, longest first (万/亿 combine: 万家, 亿元).
UNITS: tuple[str, ...] = (
    "个百分点", "百分点", "万平方米", "平方米", "平方公里", "万千瓦", "千瓦", "兆瓦", "人次", "万人次", "万亩", "亩",
    "万吨", "吨", "公里", "台套", "亿美元", "万美元", "美元", "亿元", "万元", "千元", "元", "%", "‰", "倍",
    "项", "家", "个", "所", "件", "座", "处", "条", "台", "套", "户", "种", "类", "批", "支", "篇", "部", "次",
    "名", "人", "位", "届", "场", "款", "只", "株", "头",
)
_MULTIPLIED = "万亿千百"

#: Verbs that introduce a quantity a plan commits to.
TARGET_VERBS: tuple[str, ...] = (
    "达到", "实现", "突破", "超过", "新增", "新建", "建设", "建成", "培育", "孵化", "引进", "打造", "布局", "增长",
    "提高", "提升", "增至", "增加", "不少于", "不低于", "力争", "累计", "完成", "转化", "认定", "组建", "创建",
    "新认定", "新培育", "带动", "吸引", "争创", "培训", "提供", "推动", "支持", "保持", "达", "扩大", "落地",
    "形成", "产生", "登记", "获批", "设立", "遴选", "储备", "攻克", "研发", "开发", "突破",
)

#: Verbs after the counted noun and before the number (… 达到 5000家).
TRAILING_VERBS = re.compile(
    r"(?:力争|累计|总计|合计|分别|均|将|要|再)?"
    r"(?:达到|突破|超过|增长到|增长至|增加到|增加至|提高到|提高至|提升到|提升至|增至|稳定在|保持在|控制在|"
    r"不少于|不低于|不超过|达|增长|提高|提升|为)$"
)

#: Verbs before a counted noun (新建 100家 省级创新平台; 孵化 初创科技型企业 2000家).
LEADING_VERBS = re.compile(
    r"^(?:(?:力争|争取|累计|每年|年均|新|再|共|总计|合计|全年|逐年|持续|加快|重点|分别|要|将|可|能|已)?"
    r"(?:布局建设|建设完成|实现|新建|新增|建设|建成|培育|孵化|引进|打造|布局|认定|组建|创建|创办|争创|转化|推动|"
    r"支持|带动|吸引|培训|提供|落地|形成|突破|完成|设立|遴选|储备|获批|攻克|研发|开发|推广|服务|扶持|发展|"
    r"壮大|招引|集聚|聚集|汇聚|部署|实施|开展|举办|组织|入库|登记|促成|促进|推进|扩大|达到))+"
)

#: Deadlines: 到2025年 / 2025年底前 / 到“十四五”末.
DEADLINE = re.compile(
    r"(?:到|至|截至|截止到?|力争到|力争在|在)?\s*(?P<year>(?:19|20)\d{2})\s*年(?:底|末|年底)?(?:前|以前|之前)?"
)
FIVE_YEAR_PLANS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
FIVE_YEAR_DEADLINE = re.compile(r"(?:到|至)?[“\"']?(?P<plan>十[三四五六]五)[”\"']?(?:末|期末|时期末|期间)")

#: Accumulation phrases: 四年累计 / 累计 / 年均 / 每年.
ACCUMULATION = re.compile(r"(?:[一二两三四五六七八九十\d]+年)?累计|年均|每年|年度|逐年")

#: Scope words before the counted noun (全省技术合同成交额 → scope 全省).
SCOPE_WORDS = re.compile(r"^(?:全省|全市|全区|全州|全县|全国|我省|我市|我区|本省|本市|省内|市内|全域)")

#: Quantities that are subsidies or caps rather than targets (给予最高200万元支持).
SUBSIDY_CONTEXT = re.compile(r"(?:给予|奖励|补助|补贴|资助|奖补|一次性|最高|不超过|每家|每个|每项|每人|按照|按)[^,;。]{0,12}$")

# --------------------------------------------------------------------------- named organisations

#: Name endings of organisations, longest first, with the kind they give.
ORG_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "Enterprise"), ("有限责任公司", "Enterprise"), ("有限公司", "Enterprise"), ("集团公司", "Enterprise"),
    ("集团", "Enterprise"), ("公司", "Enterprise"),
    ("大学", "University"), ("学院", "University"),
    ("科学院", "Institute"), ("研究院", "Institute"), ("研究所", "Institute"), ("设计院", "Institute"),
    ("重点实验室", "Platform"), ("联合实验室", "Platform"), ("实验室", "Platform"), ("技术创新中心", "Platform"),
    ("工程研究中心", "Platform"), ("研究中心", "Platform"), ("转化中心", "Platform"), ("服务中心", "Platform"),
    ("交易中心", "Platform"), ("中心", "Platform"), ("平台", "Platform"), ("信息库", "Platform"), ("数据库", "Platform"),
    ("大市场", "Platform"), ("技术市场", "Platform"), ("交易所", "Platform"), ("交易市场", "Platform"),
    ("引导基金", "Fund"), ("子基金", "Fund"), ("基金", "Fund"),
    ("创新战略联盟", "Alliance"), ("联盟", "Alliance"), ("创新联合体", "Alliance"),
    ("产业化基地", "Base"), ("基地", "Base"), ("大学科技园", "Base"), ("科技园", "Base"), ("产业园", "Base"),
    ("园区", "Base"), ("开发区", "Base"), ("高新区", "Base"), ("经开区", "Base"), ("示范区", "Base"), ("新区", "Base"),
    ("孵化器", "Base"), ("众创空间", "Base"), ("加速器", "Base"),
    ("计划", "Program"), ("工程", "Program"), ("专项", "Program"),
)

#: Kinds whose names are proper nouns by themselves when something precedes the suffix (吉林大学).
SELF_NAMED_KINDS = frozenset({"University", "Enterprise"})

#: Leading words that make a suffix phrase generic (高水平大学, 龙头企业集团, 省级创新平台).
GENERIC_NAME_START = re.compile(
    r"^(?:各|该|本|其|此|我|有关|相关|其他|其它|一批|一流|高水平|研究型|应用型|地方|部属|省属|市属|省级|市级|国家级|"
    r"国内外|国内|国外|境内外|境外|知名|重点|龙头|科技型|大型|中小|国有|民营|外资|上市|新型|骨干|领军|行业|各类|各级|"
    r"优势|高等|职业|综合|专业|若干|多个|区域|双创|创新|产业|技术|现有|有条件|符合条件|驻[省市])"
)

#: Words that open an organisation name as proper (besides place names).
PROPER_ANCHORS: tuple[str, ...] = (
    "中国科学院", "中国工程院", "中国", "国家", "全国", "中央", "中俄", "中美", "中欧", "中德", "中日", "中韩", "中白",
    "中乌", "中蒙", "中以", "中法", "中英", "东北", "西部", "东部", "中部", "华北", "西北", "西南", "华南", "华东", "华中", "长三角", "珠三角",
    "京津冀", "粤港澳", "东北亚", "一带一路",
)

#: Verbs and particles that precede a name and are not part of it.
NAME_LEADING_NOISE = re.compile(
    r"^(?:(?:积极|充分|大力|重点|加快|进一步|持续|主动|鼓励|支持|推动|推进|依托|发挥|引导|组织|联合|会同|培育|建设|"
    r"打造|组建|围绕|聚焦|面向|服务|协调|指导|加大|扩大|做强|做大|发展|深化|提升|实施|开展|参与|牵头|对接|引进|"
    r"吸引|促进|加强|强化|完善|设立|成立|建立|共建|争创|创建|申报|用好|用活|利用|借助|通过|依靠|联系|参加|"
    r"加入|入驻|落户|落地|投资|由|与|和|同|以|对|向|在|为|将|把|让|使|被|从|于|经|按|及|或|跟|给|等|是|有|"
    r"的|了|着|之|其|并|且|还|也|都|均|各|该|本)+)"
)

#: Characters a name never crosses on its left: punctuation and line ends.
NAME_HARD_BOUNDARY = frozenset("，,。；;：:！!？?、（）()[]【】〔〕《》\"'\r\n\t ")
#: Particles a name does not cross unless a proper anchor (a place, 国家 …) stands further left.
NAME_SOFT_BOUNDARY = frozenset("的和与及或等在对向由把被将为从于是了着之其并且")


def unit_pattern() -> str:
    """A regular expression for a measure word, 万/亿 multiples included, longest first."""
    plain = sorted(UNITS, key=len, reverse=True)
    return "(?:[" + _MULTIPLIED + "]?(?:" + "|".join(re.escape(u) for u in plain) + "))"
