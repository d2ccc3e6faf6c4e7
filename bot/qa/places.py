"""A small gazetteer of Chinese place names, to split the region prefix off agency names.

Why a gazetteer and not a regex: a regex on 市 splits 市场监督管理局, one on 州 splits 杭州
(see field notes).  Names are listed with their administrative suffix; the *bare* form (聊城,
平潭, 海淀) is what questions usually say and what the matcher compares.
"""

from __future__ import annotations

import re
from functools import cache

_PROVINCES = """
北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 山东省
河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区
广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区
"""

PROVINCES: tuple[str, ...] = tuple(_PROVINCES.split())

CITIES: dict[str, str] = {
    "河北省": "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水",
    "山西省": "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁",
    "内蒙古自治区": "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布",
    "辽宁省": "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛",
    "吉林省": "长春 吉林 四平 辽源 通化 白山 松原 白城",
    "黑龙江省": "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化",
    "江苏省": "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    "浙江省": "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    "安徽省": "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    "福建省": "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德",
    "江西省": "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶",
    "山东省": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    "河南省": "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源",
    "湖北省": "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州",
    "湖南省": "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底",
    "广东省": "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮",
    "广西壮族自治区": "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左",
    "海南省": "海口 三亚 三沙 儋州",
    "四川省": "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳",
    "贵州省": "贵阳 六盘水 遵义 安顺 毕节 铜仁",
    "云南省": "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧",
    "西藏自治区": "拉萨 日喀则 昌都 林芝 山南 那曲",
    "陕西省": "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛",
    "甘肃省": "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南",
    "青海省": "西宁 海东",
    "宁夏回族自治区": "银川 石嘴山 吴忠 固原 中卫",
    "新疆维吾尔自治区": "乌鲁木齐 克拉玛依 吐鲁番 哈密",
}
"""Prefecture-level cities per province (bare names; the suffix is 市)."""

_OTHER = """
平潭综合实验区 浦东新区 雄安新区
东城区 西城区 朝阳区 海淀区 丰台区 石景山区 门头沟区 房山区 通州区 顺义区 昌平区 大兴区 怀柔区 平谷区 密云区 延庆区
黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 金山区 松江区 青浦区 奉贤区 崇明区
东昌府区 茌平区 临清市 阳谷县 莘县 东阿县 冠县 高唐县
张店区 淄川区 博山区 临淄区 周村区 桓台县 高青县 沂源县
历下区 市中区 槐荫区 天桥区 历城区 长清区 章丘区 济阳区 莱芜区 平阴县 商河县
"""

SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "综合实验区", "自治区", "自治州", "新区", "省", "市", "区", "县")
"""Administrative suffixes, longest first."""


def bare(place: str) -> str:
    """``聊城市`` → ``聊城``; a one-character remainder keeps its suffix (``莘县``)."""
    for suffix in SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return place


@cache
def full_names() -> tuple[str, ...]:
    """Every place in the gazetteer with its suffix (provinces, cities, some counties)."""
    names = _PROVINCES.split() + _OTHER.split()
    for cities in CITIES.values():
        names.extend(f"{c}市" for c in cities.split())
    return tuple(dict.fromkeys(names))


@cache
def bare_names() -> frozenset[str]:
    return frozenset(bare(n) for n in full_names())


@cache
def _max_len() -> int:
    return max(len(n) for n in bare_names())


_FALLBACK = re.compile(r"^([\u4e00-\u9fff]{2,3})(市|县)(?!场)")


def match_at(text: str, i: int, places: frozenset[str] | None = None) -> str | None:
    """The longest place (bare form) starting at ``text[i]``, if any."""
    places = places if places is not None else bare_names()
    for length in range(min(_max_len(), len(text) - i), 1, -1):
        if text[i : i + length] in places:
            return text[i : i + length]
    return None


def suffix_at(text: str, i: int) -> str:
    """The administrative suffix starting at ``text[i]`` ('' if none).  A 市 that begins 市场
    is not a suffix (聊城市场监管局 is 聊城 + 市场监管局)."""
    for suffix in SUFFIXES:
        if text.startswith(suffix, i):
            if suffix == "市" and text.startswith("市场", i) and not text.startswith("市市场", i):
                return ""
            return suffix
    return ""


def split_prefix(name: str) -> tuple[tuple[str, ...], str]:
    """Split an agency name into its region prefix (bare places) and the rest.

    ``山东省聊城市城市管理局`` → ``(("山东", "聊城"), "城市管理局")``;
    ``平潭综合实验区`` → ``(("平潭",), "")``.  An unknown prefix such as ``某某市`` is taken as a
    place when it ends in 市 or 县 (not 市场).
    """
    regions: list[str] = []
    i = 0
    while i < len(name):
        place = match_at(name, i)
        if place is None:
            break
        regions.append(place)
        i += len(place)
        i += len(suffix_at(name, i))
    if not regions:
        m = _FALLBACK.match(name)
        if m and len(name) - m.end() >= 2:
            return (m.group(1),), name[m.end():]
    return tuple(regions), name[i:]
