"""China's provinces, autonomous regions, municipalities, special administrative regions
and major cities: the places a reviewer may name in a regional exemption or extension.

A place's ``code`` is what orders and stores carry as their ``region`` and what the API
accepts: the English (pinyin) name the service has always used, e.g. ``Zhejiang``. A
declaration matches orders whose region is exactly that code; a province's code does not
include the orders of its cities, which carry their own (see docs/api.md). The table
follows GB/T 2260's first level, then the provincial capitals, the sub-provincial cities
and a few more of the largest, each under its province. A city sharing its province's
name (吉林市 in 吉林省) is left out: the province's code names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlaceKind(StrEnum):
    PROVINCE = "province"
    AUTONOMOUS_REGION = "autonomous_region"
    MUNICIPALITY = "municipality"
    SPECIAL_ADMINISTRATIVE_REGION = "special_administrative_region"
    CITY = "city"


@dataclass(frozen=True)
class Place:
    code: str
    zh: str
    en: str
    kind: PlaceKind
    province: str  # the code of the first-level place it lies in (its own for one)

    @property
    def label(self) -> str:
        """Chinese first, English beside it, as every page reads."""
        return f"{self.zh} {self.en}"


P, A, M, S = (PlaceKind.PROVINCE, PlaceKind.AUTONOMOUS_REGION, PlaceKind.MUNICIPALITY,
              PlaceKind.SPECIAL_ADMINISTRATIVE_REGION)

# First-level places in GB/T 2260 order, each with its major cities (code, zh).
_TABLE: list[tuple[str, str, PlaceKind, list[tuple[str, str]]]] = [
    ("Beijing", "北京", M, []),
    ("Tianjin", "天津", M, []),
    ("Hebei", "河北", P, [("Shijiazhuang", "石家庄"), ("Tangshan", "唐山"),
                          ("Baoding", "保定")]),
    ("Shanxi", "山西", P, [("Taiyuan", "太原"), ("Datong", "大同")]),
    ("Inner Mongolia", "内蒙古", A, [("Hohhot", "呼和浩特"), ("Baotou", "包头")]),
    ("Liaoning", "辽宁", P, [("Shenyang", "沈阳"), ("Dalian", "大连")]),
    ("Jilin", "吉林", P, [("Changchun", "长春")]),
    ("Heilongjiang", "黑龙江", P, [("Harbin", "哈尔滨"), ("Daqing", "大庆")]),
    ("Shanghai", "上海", M, []),
    ("Jiangsu", "江苏", P, [("Nanjing", "南京"), ("Suzhou", "苏州"), ("Wuxi", "无锡"),
                            ("Changzhou", "常州"), ("Xuzhou", "徐州"), ("Nantong", "南通")]),
    ("Zhejiang", "浙江", P, [("Hangzhou", "杭州"), ("Ningbo", "宁波"), ("Wenzhou", "温州"),
                             ("Jinhua", "金华"), ("Yiwu", "义乌"), ("Shaoxing", "绍兴"),
                             ("Jiaxing", "嘉兴"), ("Taizhou", "台州")]),
    ("Anhui", "安徽", P, [("Hefei", "合肥"), ("Wuhu", "芜湖")]),
    ("Fujian", "福建", P, [("Fuzhou", "福州"), ("Xiamen", "厦门"), ("Quanzhou", "泉州")]),
    ("Jiangxi", "江西", P, [("Nanchang", "南昌"), ("Ganzhou", "赣州")]),
    ("Shandong", "山东", P, [("Jinan", "济南"), ("Qingdao", "青岛"), ("Yantai", "烟台"),
                             ("Weifang", "潍坊"), ("Linyi", "临沂")]),
    ("Henan", "河南", P, [("Zhengzhou", "郑州"), ("Luoyang", "洛阳")]),
    ("Hubei", "湖北", P, [("Wuhan", "武汉"), ("Yichang", "宜昌"), ("Xiangyang", "襄阳")]),
    ("Hunan", "湖南", P, [("Changsha", "长沙"), ("Zhuzhou", "株洲")]),
    ("Guangdong", "广东", P, [("Guangzhou", "广州"), ("Shenzhen", "深圳"), ("Dongguan", "东莞"),
                              ("Foshan", "佛山"), ("Zhuhai", "珠海"), ("Shantou", "汕头"),
                              ("Huizhou", "惠州"), ("Zhongshan", "中山")]),
    ("Guangxi", "广西", A, [("Nanning", "南宁"), ("Guilin", "桂林"), ("Liuzhou", "柳州")]),
    ("Hainan", "海南", P, [("Haikou", "海口"), ("Sanya", "三亚")]),
    ("Chongqing", "重庆", M, []),
    ("Sichuan", "四川", P, [("Chengdu", "成都"), ("Mianyang", "绵阳")]),
    ("Guizhou", "贵州", P, [("Guiyang", "贵阳"), ("Zunyi", "遵义")]),
    ("Yunnan", "云南", P, [("Kunming", "昆明")]),
    ("Tibet", "西藏", A, [("Lhasa", "拉萨")]),
    ("Shaanxi", "陕西", P, [("Xi'an", "西安")]),
    ("Gansu", "甘肃", P, [("Lanzhou", "兰州")]),
    ("Qinghai", "青海", P, [("Xining", "西宁")]),
    ("Ningxia", "宁夏", A, [("Yinchuan", "银川")]),
    ("Xinjiang", "新疆", A, [("Urumqi", "乌鲁木齐")]),
    ("Taiwan", "台湾", P, []),
    ("Hong Kong", "香港", S, []),
    ("Macao", "澳门", S, []),
]

PLACES: tuple[Place, ...] = tuple(
    place for code, zh, kind, cities in _TABLE
    for place in (Place(code, zh, code, kind, code),
                  *(Place(city, zh_city, city, PlaceKind.CITY, code)
                    for city, zh_city in cities)))

_BY_CODE: dict[str, Place] = {place.code: place for place in PLACES}


def place(code: str) -> Place | None:
    """The place a code names, or None for a code the table does not hold."""
    return _BY_CODE.get(code)


def is_known(code: str) -> bool:
    return code in _BY_CODE


def grouped() -> list[tuple[Place, list[Place]]]:
    """Each first-level place with its cities, in the table's order: what a form's
    grouped list of options draws."""
    return [(first, [p for p in PLACES if p.kind is PlaceKind.CITY and p.province == first.code])
            for first in PLACES if first.kind is not PlaceKind.CITY]
