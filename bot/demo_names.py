"""Word lists for the demo history: invented company names, credit codes, contacts and the
sentences people write in progress notes. Every company, person and phone number here is made up
(phone numbers are 0851-8xxxxxxx, Guiyang's area code with invented digits); no real firm is named.
"""
from __future__ import annotations

import random

from core.social_credit_code import ALPHABET, check_character, org_check_character

_BRAND = "黔筑云苗峰川溪林泉盛华恒鑫瑞博睿卓远嘉宏汇铭拓启创联凯诚德信达源丰泰和安隆昌兴通航"
_TRADE = {
    "电子信息制造": ["电子", "光电", "智能终端", "半导体", "显示科技", "精密电子"],
    "先进装备制造": ["智造", "装备", "机械", "重工", "智能装备", "数控"],
    "中高端消费品制造": ["家居", "服饰", "日化", "轻工", "优品"],
    "健康医药": ["生物医药", "药业", "医疗器械", "健康科技", "制药"],
    "现代化工": ["化工", "磷化", "新材料", "精细化工"],
    "铝及铝加工": ["铝业", "铝材", "轻合金", "铝箔"],
    "新能源汽车零部件": ["新能源", "动力电池", "汽车零部件", "电驱科技", "储能"],
    "大数据及数字经济": ["数据科技", "云计算", "数字科技", "信息技术", "算力"],
    "现代服务业": ["商业管理", "供应链", "咨询服务", "融资租赁"],
    "总部经济": ["投资", "实业", "控股"],
    "文化旅游": ["文旅", "旅游开发", "文化传媒", "酒店管理"],
    "现代农业": ["农业", "生态农业", "种业", "茶业"],
    "特色食品": ["食品", "酒业", "调味品", "饮品"],
    "新型建材": ["建材", "新型墙材", "装配式建筑"],
    "航空航天": ["航空", "航空科技", "无人机", "航空材料"],
    "现代物流": ["物流", "供应链管理", "冷链物流", "仓储"],
}
_FORM = ["有限公司", "有限公司", "科技有限公司", "股份有限公司", "集团有限公司"]
_GROUP = {"总部经济": ["集团有限公司", "控股有限公司", "投资有限公司"]}
# Region parts of credit codes (GB/T 2260): where the invented companies are registered.
_REGION = {"深圳": "440300", "苏州": "320500", "长沙": "430100", "贵阳": "520100", "上海": "310000",
           "北京": "110000", "杭州": "330100", "广州": "440100", "成都": "510100"}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_TITLES = ["总经理", "董事长", "副总经理", "投资总监", "项目经理", "行政总监"]


def company_name(rng: random.Random, industry: str, city: str | None, taken: set[str]) -> str:
    """A new invented company name (e.g. 黔盛智造科技有限公司), never one already in `taken`."""
    while True:
        brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        if brand[0] == brand[1]:
            continue
        trade = rng.choice(_TRADE.get(industry, ["科技"]))
        form = rng.choice(_GROUP.get(industry, _FORM))
        if ("科技" in trade or trade.endswith("技术")) and form.startswith("科技"):
            form = form[2:]
        where = f"（{city}）" if city and rng.random() < 0.4 else ""
        name = f"{brand}{trade}{where}{form}"
        if name not in taken:
            taken.add(name)
            return name


def credit_code(rng: random.Random, city: str) -> str:
    """A valid-looking 18-character code (GB 32100 and GB 11714 check characters), invented."""
    org8 = "".join(rng.choice(ALPHABET[:10] if i < 6 else ALPHABET) for i in range(8))
    first17 = "91" + _REGION.get(city, "520100") + org8 + org_check_character(org8)
    return first17 + check_character(first17)


def contact(rng: random.Random) -> str:
    """An invented contact: a surname, a title and a 0851-8xxxxxxx number."""
    return f"{rng.choice(_SURNAMES)}{rng.choice(_TITLES)} 0851-8{rng.randrange(10**6, 10**7)}"


def project_content(rng: random.Random, industry: str) -> str:
    what = rng.choice(["生产基地", "研发中心", "区域总部", "产业园", "生产线", "结算中心"])
    return f"建设{industry}{what}" + rng.choice(["，分两期实施", "，一期用地约百亩", "", "，配套仓储与办公"])


CITIES = ["深圳", "苏州", "长沙", "上海", "杭州", "北京", "广州", "成都", "重庆", "东莞", "宁波", "合肥", "武汉", "厦门"]
OFFICE_CITY = {"zhu_shenzhen": "深圳", "zhu_suzhou": "苏州", "zhu_changsha": "长沙"}

NOTES = {
    "lead": [("首次电话对接，企业有意来黔考察", "寄送投资指南，邀请来筑考察"),
             ("企业发来项目简介，正在研判", "一周内完成研判并反馈")],
    "negotiating": [("企业一行来筑实地考察，对选址基本满意", "准备投资协议文本"),
                    ("双方就用地和配套政策进行第二轮洽谈", "报请区政府研究支持政策"),
                    ("已提交项目可研报告，正在论证", "组织相关部门会审")],
    "signed": [("投资协议已签订，企业正在办理注册", "协助办理工商注册和项目备案"),
               ("项目公司已注册，首笔资金已到账", "推进用地报批")],
    "landed": [("项目已入园，正在办理规划许可", "督促施工图审查"),
               ("土地已摘牌，正在做开工前准备", "协调水电接入")],
    "started": [("项目已开工，主体厂房建设中", "每周跟踪施工进度"),
                ("设备采购合同已签订，厂房封顶", "协助招工")],
    "producing": [("一期已投产，正在爬坡", "跟踪达产和二期计划"),
                  ("产线试运行顺利，首批产品下线", "协调配套企业入驻")],
}
PROBLEMS = ["用地指标尚未落实，需市级协调", "电力增容审批较慢，请求调度", "环评批复进度滞后",
            "企业融资遇到困难，请求对接金融机构", "高压线迁改影响场平", "招工缺口较大，请求人社部门支持"]
RESOLUTIONS = ["经月调度会协调，已解决", "相关部门已办结", "已对接银行，授信落实"]
TERMINATIONS = ["企业投资计划调整，暂缓投资", "企业最终选择在外省落户", "用地条件无法满足企业要求",
                "企业资金链紧张，项目取消", "项目不符合产业准入要求"]
TRIP_OUTCOMES = ["拜访企业高管，达成初步合作意向", "参加产业对接会，推介投资环境", "走访重点企业，跟进在谈项目",
                 "召开招商推介会，收集项目线索"]
TRANSFER_REASONS = ["企业选址意向在该区，产业导向更契合", "项目用地需求大，该开发区有成熟园区"]
REFUSAL_REASONS = ["园区暂无符合条件的用地，建议另选落地区县"]
