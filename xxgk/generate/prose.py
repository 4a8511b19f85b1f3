"""Prose of the six report sections, assembled from varied phrase templates.

Placeholders: {y} reporting year as the text states it, {ny} the year after, {me} how the agency
refers to itself (我镇, 我局 …), {ag} the agency name, {a}/{b}/{c} small random counts.
"""

from __future__ import annotations

import random

from xxgk.generate.numbers import randint

_INTRO = (
    "{y}年，{me}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "围绕中心工作扎实推进政务公开各项任务落实，政府信息公开工作取得了新的成效。",
    "{y}年以来，{me}严格按照上级关于政务公开工作的部署要求，不断健全工作机制，拓宽公开渠道，"
    "规范公开内容，全面提升政府信息公开工作质量。",
    "{y}年，{me}把政务公开作为转变作风、提升服务的重要抓手，持续规范公开内容，提高公开质量，"
    "切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{y}年，在上级政务公开主管部门的指导下，{me}以群众需求为导向，坚持“公开为常态、不公开为例外”原则，"
    "推动政务公开工作走深走实。现将有关情况总结如下：",
    "{y}年，{ag}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，"
    "紧扣年度政务公开工作要点，着力提升公开实效，为经济社会发展营造了良好环境。",
)
_PROACTIVE = (
    "围绕“放管服”改革、优化营商环境等重点工作，及时公开行政审批、行政处罚等权力运行信息，推动权力在阳光下运行。",
    "加大对社会救助、就业创业、教育医疗、养老服务等民生领域信息的公开力度，全年发布民生类信息{b}条，让群众看得到、看得懂、能监督。",
    "严格落实重大行政决策预公开制度，对涉及群众切身利益的重要事项，通过门户网站公开征求意见{c}次，充分听取社会各界意见建议。",
    "规范发布人事任免、招聘录用、财政资金使用等信息，做到应公开尽公开。",
    "全年通过政府门户网站主动公开政府信息{a}条，其中工作动态{b}条、通知公告{c}条。",
    "依托政务新媒体发布各类信息{b}条，及时回应群众关切，传递权威声音。",
    "围绕乡村振兴、安全生产、民生保障等重点领域，主动公开相关信息{c}条。",
    "坚持“谁制作、谁公开”原则，对财政预决算、“三公”经费等信息按要求及时公开。",
    "通过政务公开栏、村务公开栏等线下渠道公开信息{c}期，方便不具备上网条件的群众查阅。",
    "做好政策解读工作，采用图文、问答等形式解读政策文件{c}件，增强了政策的知晓度。",
    "持续更新机构职能、领导分工、办事指南等基础信息，确保公开内容准确、完整、及时。",
)
_REQUESTS_ZERO = (
    "{y}年，{me}未收到政府信息公开申请。",
    "{y}年度，{me}共收到政府信息公开申请0件。",
    "本年度{me}未收到依申请公开政府信息的申请，无行政复议及行政诉讼情况。",
)
_REQUESTS = (
    "{y}年，{me}共收到政府信息公开申请{n}件，均在法定期限内予以答复。",
    "{y}年度，{me}共收到政府信息公开申请{n}件，已全部依法依规办理。",
    "全年共收到政府信息公开申请{n}件，办理过程中严格落实登记、审核、答复等工作流程。",
    "本年度{me}共收到政府信息公开申请{n}件，按照规定程序受理、审核、处理、答复。",
)
_REQUESTS_MORE = (
    "进一步规范依申请公开办理流程，明确受理、登记、审核、答复等各环节责任。",
    "坚持专人受理、集体会商，对疑难复杂申请及时征求法律顾问意见，确保答复合法规范。",
    "认真做好申请登记和答复文书归档工作，做到一件一档、全程留痕。",
    "畅通网上申请、信函申请、当面申请等渠道，为申请人提供便利。",
)
_MANAGEMENT = (
    "健全政府信息公开工作台账，对主动公开、依申请公开、保密审查等工作实行全流程登记管理，做到有据可查。",
    "对照政务公开标准目录逐项梳理公开事项，明确公开内容、公开时限、公开方式和责任主体，推动公开工作规范有序开展。",
    "做好历史文件清理工作，对照上级要求对以往发布的规范性文件进行全面排查，及时标注失效、废止情况。",
    "严格落实信息发布“三审三校”制度，对拟公开的信息进行保密审查，确保公开内容准确无误。",
    "建立健全政府信息公开属性源头认定机制，公文拟制时同步明确公开属性。",
    "定期开展已公开信息自查，对错敏词、错链断链、个人隐私等问题及时整改。",
    "按照“谁公开、谁审查、谁负责”的原则，落实信息发布审核责任，杜绝涉密信息上网。",
    "及时清理失效信息，对规范性文件实行动态管理，提高信息的权威性和时效性。",
)
_PLATFORM = (
    "加强网站日常监测，安排专人每日巡查，对栏目空白、内容更新不及时等问题及时整改，全年未发生重大网络安全事件。",
    "推动政务公开与政务服务深度融合，在便民服务中心设置政务公开专区，提供政策咨询、信息查询、办事引导等服务。",
    "统筹用好新闻发布会、政务热线、广播电视等渠道，扩大政府信息的覆盖面和影响力。",
    "以政府门户网站为第一平台，持续优化信息公开专栏设置，做到栏目规范、内容更新及时。",
    "加强政务新媒体管理，建立健全内容审核、安全保障等制度，确保平台安全平稳运行。",
    "在办事大厅设置政府信息查阅点，配备专门工作人员，为群众查阅信息提供便利。",
    "按照上级统一要求完善政府信息公开目录，方便群众检索和查阅。",
    "利用微信公众号、村务公开栏等载体，构建线上线下相结合的公开体系。",
)
_OVERSIGHT = (
    "严格执行政府信息公开社会评议和责任追究制度，将群众满意度作为评价政务公开工作的重要标准。",
    "主要负责同志多次听取政务公开工作汇报，研究解决工作中遇到的困难和问题，为做好政务公开工作提供了有力保障。",
    "结合年度考核，对各科室、各单位政务公开工作落实情况进行检查评估，推动责任层层压实。",
    "成立政务公开工作领导小组，由主要负责同志任组长，明确专人负责日常工作。",
    "将政务公开工作纳入年度目标考核，与业务工作同部署、同检查、同考核。",
    "组织工作人员参加政务公开业务培训{c}次，提升工作人员业务能力。",
    "主动接受社会监督，公开监督电话，认真受理群众意见建议，本年度未发生因政务公开引发的责任追究。",
    "定期对政务公开工作开展督查，发现问题及时通报整改，确保各项工作落到实处。",
)
_SUBHEADS = (
    (
        "（一）主动公开情况",
        "（二）依申请公开情况",
        "（三）政府信息管理情况",
        "（四）政府信息公开平台建设情况",
        "（五）监督保障情况",
    ),
    ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）平台建设", "（五）监督保障"),
    ("1.主动公开情况", "2.依申请公开情况", "3.政府信息管理情况", "4.平台建设情况", "5.监督保障情况"),
)
_PROBLEMS = (
    "政务新媒体内容不够丰富，与群众的互动交流有待加强",
    "部分工作人员对政务公开的重要性认识不足，主动公开意识还需增强",
    "政务公开工作人员多为兼职，业务水平有待进一步提高",
    "政策解读形式较为单一，图解、视频等解读方式运用不多",
    "信息公开的及时性有待加强，个别栏目更新不够及时",
    "公开内容的深度和广度仍需拓展，与群众需求还存在一定差距",
    "对依申请公开工作的研究不够深入，办理规范化水平有待提升",
    "基层政务公开标准化规范化建设推进不够平衡",
)
_IMPROVEMENTS = (
    "强化政务新媒体运营管理，丰富发布内容，增强互动回应能力",
    "将政务公开纳入干部教育培训内容，增强干部主动公开、依法公开的意识",
    "加强业务培训，定期组织工作人员学习《条例》及相关政策，提升业务能力",
    "丰富政策解读形式，综合运用图表图解、音视频等方式增强解读效果",
    "建立栏目更新台账，明确责任分工，确保信息发布及时准确",
    "聚焦群众关注的热点领域，加大公开力度，提升公开实效",
    "严格依申请公开办理流程，加强对疑难案件的研判，提高答复质量",
    "深化基层政务公开标准化规范化建设，推动公开工作向基层延伸",
)
_OTHER = (
    "本年度{me}未收取信息处理费。",
    "{y}年度，{me}未发出收费通知，未收取信息处理费。",
    "无其他需要报告的事项。",
    "本年度无其他需要报告的事项。",
    "按照上级年度政务公开工作要点要求，{me}逐项抓好任务落实，各项工作均已按期完成。",
    "{me}认真办理人大代表建议和政协委员提案，办理结果均已按要求公开。",
)
_LEADS = {
    "proactive": ("", "", "", "本年度主动公开政府信息情况如下：", "详见下表。"),
    "requests": ("", "", "", "本年度依申请公开办理情况统计如下：", "详见下表。"),
    "review_litigation": ("", "", "", "本年度因政府信息公开引发的行政复议、行政诉讼情况如下："),
}
_ORDINALS = "一二三四五六"


def _pick(rng: random.Random, pool: tuple[str, ...], k: int) -> list[str]:
    """``k`` distinct items of ``pool`` from a random starting point (cheaper than ``rng.sample``)."""
    n = len(pool)
    start = int(rng.random() * n)
    step = 1 if rng.random() < 0.5 else n - 1
    return [pool[(start + j * step) % n] for j in range(k)]


def _fill(template: str, values: dict[str, object]) -> str:
    return template.format_map(values)


def _numbered(rng: random.Random, items: tuple[str, ...], k: int) -> str:
    picked = _pick(rng, items, k)
    return "".join(f"{_ORDINALS[i]}是{text}。" for i, text in enumerate(picked))


def sections(
    rng: random.Random, *, agency: str, self_ref: str, text_year: int, requests_received: int | None
) -> dict[str, str]:
    """Prose per section key (every section but an absent preamble); ``requests_received`` is stated in the
    overview when known."""
    values = {
        "y": text_year,
        "ny": text_year + 1,
        "me": self_ref,
        "ag": agency,
        "a": randint(rng, 20, 900),
        "b": randint(rng, 5, 300),
        "c": randint(rng, 1, 40),
        "n": requests_received,
    }
    heads = rng.choice(_SUBHEADS)
    if requests_received is None:
        req = rng.choice(_REQUESTS_MORE)
    elif requests_received == 0:
        req = rng.choice(_REQUESTS_ZERO)
    else:
        req = rng.choice(_REQUESTS) + rng.choice(_REQUESTS_MORE)
    parts = [rng.choice(_INTRO)]
    for head, pool, body in (
        (heads[0], _PROACTIVE, None),
        (heads[1], None, req),
        (heads[2], _MANAGEMENT, None),
        (heads[3], _PLATFORM, None),
        (heads[4], _OVERSIGHT, None),
    ):
        text = body if body is not None else "".join(_pick(rng, pool, 2 + int(rng.random() * 4)))
        parts.append(f"{head}\n{text}")
    out = {"preamble": ""}
    if rng.random() < 0.6:
        out["preamble"] = (
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，编制本报告。"
            "本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
            "如对本报告有疑问，请与{ag}办公室联系。"
        )
    out["overview"] = "\n".join(parts)
    for key, leads in _LEADS.items():
        out[key] = rng.choice(leads)
    problems = _numbered(rng, _PROBLEMS, 2 + int(rng.random() * 4))
    plans = _numbered(rng, _IMPROVEMENTS, 2 + int(rng.random() * 4))
    if rng.random() < 0.5:
        out["problems"] = f"（一）存在的问题\n{problems}\n（二）改进情况\n{{ny}}年，{{me}}将重点做好以下工作：{plans}"
    else:
        out["problems"] = (
            f"{{y}}年，{{me}}政府信息公开工作虽取得一定成效，但仍存在一些不足：{problems}\n下一步，{plans}"
        )
    out["other"] = "".join(_pick(rng, _OTHER, 1 + (rng.random() < 0.4)))
    if not out["preamble"]:
        del out["preamble"]  # no text before 一、总体情况
    return {key: _fill(text, values) for key, text in out.items()}
