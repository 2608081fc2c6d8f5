/* sim_text.c -- the words of the simulated province: regions, departments, platforms,
 * columns, and generators of titles and body text that read like a Chinese government
 * site (names and wording after the published 通报 in shared/notices/).
 *
 * The province borrows Hunan's geography so that names, area codes and 湘ICP备 numbers
 * look right, but every host is fictional (www.sim-*.gov.cn). The text never contains a
 * date except where the caller puts one, never a mobile number or an ID number, and no
 * ASCII markup characters, so that the only dates a checker finds are the planted ones. */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- regions */

static const char *const cs_counties[] = {"芙蓉区", "天心区", "岳麓区", "开福区", "雨花区",
                                          "望城区", "长沙县", "浏阳市", "宁乡市", NULL};
static const char *const zz_counties[] = {"荷塘区", "芦淞区", "石峰区", "天元区", "渌口区",
                                          "攸县",   "茶陵县", "炎陵县", "醴陵市", NULL};
static const char *const xt_counties[] = {"雨湖区", "岳塘区", "湘潭县", "湘乡市", "韶山市", NULL};
static const char *const hy_counties[] = {"珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区",
                                          "衡阳县", "衡南县", "衡山县", "衡东县", "祁东县",
                                          "耒阳市", "常宁市", NULL};
static const char *const sy_counties[] = {"双清区", "大祥区", "北塔区", "新邵县",
                                          "邵阳县", "隆回县", "洞口县", "绥宁县",
                                          "新宁县", "武冈市", "邵东市", NULL};
static const char *const yy_counties[] = {"岳阳楼区", "云溪区", "君山区", "岳阳县", "华容县",
                                          "湘阴县",   "平江县", "汨罗市", "临湘市", NULL};
static const char *const cd_counties[] = {"武陵区", "鼎城区", "安乡县", "汉寿县", "澧县",
                                          "临澧县", "桃源县", "石门县", "津市市", NULL};
static const char *const zjj_counties[] = {"永定区", "武陵源区", "慈利县", "桑植县", NULL};
static const char *const yiy_counties[] = {"资阳区", "赫山区", "南县", "桃江县",
                                           "安化县", "沅江市", NULL};
static const char *const cz_counties[] = {"北湖区", "苏仙区", "桂阳县", "宜章县",
                                          "永兴县", "嘉禾县", "临武县", "汝城县",
                                          "桂东县", "安仁县", "资兴市", NULL};
static const char *const yz_counties[] = {"零陵区", "冷水滩区", "祁阳市", "东安县",
                                          "双牌县", "道县",     "江永县", "宁远县",
                                          "蓝山县", "新田县",   NULL};
static const char *const hh_counties[] = {"鹤城区", "中方县", "沅陵县", "辰溪县",
                                          "溆浦县", "会同县", "洪江市", NULL};
static const char *const ld_counties[] = {"娄星区", "双峰县", "新化县", "冷水江市", "涟源市", NULL};
static const char *const xx_counties[] = {"吉首市", "泸溪县", "凤凰县", "花垣县", "保靖县",
                                          "古丈县", "永顺县", "龙山县", NULL};

/* 省直部门 first, then the cities in the order the notices list them. */
const sim_region_t sim_regions[] = {
    {"省直部门", "湖南省", "湖南", "430000", "hn", "0731", NULL},
    {"长沙市", "长沙市", "长沙", "430100", "cs", "0731", cs_counties},
    {"株洲市", "株洲市", "株洲", "430200", "zz", "0731", zz_counties},
    {"湘潭市", "湘潭市", "湘潭", "430300", "xt", "0731", xt_counties},
    {"衡阳市", "衡阳市", "衡阳", "430400", "hy", "0734", hy_counties},
    {"邵阳市", "邵阳市", "邵阳", "430500", "sy", "0739", sy_counties},
    {"岳阳市", "岳阳市", "岳阳", "430600", "yy", "0730", yy_counties},
    {"常德市", "常德市", "常德", "430700", "cd", "0736", cd_counties},
    {"张家界市", "张家界市", "张家界", "430800", "zjj", "0744", zjj_counties},
    {"益阳市", "益阳市", "益阳", "430900", "yiy", "0737", yiy_counties},
    {"郴州市", "郴州市", "郴州", "431000", "cz", "0735", cz_counties},
    {"永州市", "永州市", "永州", "431100", "yz", "0746", yz_counties},
    {"怀化市", "怀化市", "怀化", "431200", "hh", "0745", hh_counties},
    {"娄底市", "娄底市", "娄底", "431300", "ld", "0738", ld_counties},
    {"湘西自治州", "湘西土家族苗族自治州", "湘西", "433100", "xx", "0743", xx_counties},
};
const size_t sim_n_regions = sizeof sim_regions / sizeof sim_regions[0];

/* Departments, with the name of their new-media accounts. Row 0 is the government itself
 * (its news office runs the 发布 accounts). */
const sim_dept_t sim_depts[] = {
    {"人民政府新闻办公室", "人民政府新闻办公室", "%s发布"},
    {"发展和改革委员会", "发展和改革委员会", "%s发改"},
    {"教育厅", "教育局", "%s教育"},
    {"科学技术厅", "科学技术局", "%s科技"},
    {"工业和信息化厅", "工业和信息化局", "%s工信"},
    {"公安厅", "公安局", "平安%s"},
    {"民政厅", "民政局", "%s民政"},
    {"司法厅", "司法局", "%s司法行政"},
    {"财政厅", "财政局", "%s财政"},
    {"人力资源和社会保障厅", "人力资源和社会保障局", "%s人社"},
    {"自然资源厅", "自然资源和规划局", "%s自然资源"},
    {"生态环境厅", "生态环境局", "%s生态环境"},
    {"住房和城乡建设厅", "住房和城乡建设局", "%s住建"},
    {"交通运输厅", "交通运输局", "%s交通"},
    {"水利厅", "水利局", "%s水利"},
    {"农业农村厅", "农业农村局", "%s农业农村"},
    {"商务厅", "商务局", "%s商务"},
    {"文化和旅游厅", "文化旅游广电体育局", "文旅%s"},
    {"卫生健康委员会", "卫生健康局", "健康%s"},
    {"退役军人事务厅", "退役军人事务局", "%s退役军人"},
    {"应急管理厅", "应急管理局", "%s应急管理"},
    {"审计厅", "审计局", "%s审计"},
    {"市场监督管理局", "市场监督管理局", "%s市场监管"},
    {"统计局", "统计局", "%s统计"},
    {"医疗保障局", "医疗保障局", "%s医保"},
    {"林业局", "林业局", "%s林业"},
    {"体育局", NULL, "%s体育"},
    {"广播电视局", NULL, "%s广电"},
    {"粮食和物资储备局", NULL, "%s粮食"},
    {"中医药管理局", NULL, "%s中医药"},
    {"地方金融监督管理局", "金融工作办公室", "%s金融"},
    {"信访局", "信访局", "%s信访"},
    {NULL, "城市管理和综合执法局", "%s城管"},
};
const size_t sim_n_depts = sizeof sim_depts / sizeof sim_depts[0];

const sim_platform_t sim_platforms[] = {
    {"微信订阅号", "wechat-mp", "WX"}, {"微信服务号", "wechat-svc", "WF"},
    {"新浪微博", "weibo", "XL"},       {"今日头条", "toutiao", "JR"},
    {"抖音", "douyin", "DO"},          {"大鱼号", "dayu", "DY"},
};
const size_t sim_n_platforms = sizeof sim_platforms / sizeof sim_platforms[0];

/* Nav order. Row 0 (the main news column) is on every site and holds its newest item;
 * there are at most 4 news columns in the nav, so that a stale site never has the 5 stale
 * 动态/要闻 columns that would make W-COLUMN-STALE a veto on its own. The rows after 专题专栏
 * are the 政务公开 section of the sites with second-level columns: its parent and the
 * sub-columns (工作动态 is a second-level news column: it counts for the first rule too;
 * 公告公示 a second-level notice column: it counts in the total only). Only the grouped
 * column defects give a site the section, never a stale home page (W-HOME-STALE), so that
 * a stale site keeps at most 4 stale news columns. stale_days and rule say how
 * data/columns.tsv classifies the name (longest keyword): 统计信息 and 统计数据 match no
 * keyword and need not be updated, whatever their rhythm. */
const sim_coldef_t sim_coldefs[] = {
    {"zwdt", "政务动态", SIM_CC_NEWS, 14, SIM_RULE_FIRST},
    {"yw", "要闻", SIM_CC_NEWS, 14, SIM_RULE_FIRST},
    {"bmdt", "部门动态", SIM_CC_NEWS, 14, SIM_RULE_FIRST},
    {"jcdt", "基层动态", SIM_CC_NEWS, 14, SIM_RULE_FIRST},
    {"tzgg", "通知公告", SIM_CC_NOTICE, 183, SIM_RULE_LEVEL1},
    {"zcwj", "政策文件", SIM_CC_POLICY, 183, SIM_RULE_LEVEL1},
    {"zcjd", "政策解读", SIM_CC_INTERP, 0, SIM_RULE_NONE},
    {"rsxx", "人事信息", SIM_CC_PERSONNEL, 365, SIM_RULE_TOTAL},
    {"ghjh", "规划计划", SIM_CC_PLAN, 365, SIM_RULE_TOTAL},
    {"tjxx", "统计信息", SIM_CC_PLAN, 0, SIM_RULE_NONE},
    {"hdjl", "互动交流", SIM_CC_INTERACT, 0, SIM_RULE_NONE},
    {"bsfw", "办事服务", SIM_CC_SERVICE, 0, SIM_RULE_NONE},
    {"ztzl", "专题专栏", SIM_CC_SPECIAL, 0, SIM_RULE_NONE},
    {"zwgk", "政务公开", SIM_CC_PARENT, 0, SIM_RULE_NONE},
    {"gzdt", "工作动态", SIM_CC_NEWS, 14, SIM_RULE_FIRST},
    {"gggs", "公告公示", SIM_CC_NOTICE, 183, SIM_RULE_LEVEL1},
    {"rsrm", "人事任免", SIM_CC_PERSONNEL, 365, SIM_RULE_TOTAL},
    {"zkly", "招考录用", SIM_CC_PERSONNEL, 365, SIM_RULE_TOTAL},
    {"fzgh", "发展规划", SIM_CC_PLAN, 365, SIM_RULE_TOTAL},
    {"jgzn", "机构职能", SIM_CC_OPEN, 0, SIM_RULE_NONE},
    {"czzj", "财政资金", SIM_CC_OPEN, 0, SIM_RULE_NONE},
    {"zdxm", "重大项目", SIM_CC_OPEN, 0, SIM_RULE_NONE},
    {"ggzypz", "公共资源配置", SIM_CC_OPEN, 0, SIM_RULE_NONE},
    {"yjgl", "应急管理", SIM_CC_OPEN, 0, SIM_RULE_NONE},
    {"tjsj", "统计数据", SIM_CC_OPEN, 0, SIM_RULE_NONE},
};
const size_t sim_n_coldefs = sizeof sim_coldefs / sizeof sim_coldefs[0];

int sim_coldef_find(const char *slug)
{
    for (size_t i = 0; i < sim_n_coldefs; i++)
        if (strcmp(sim_coldefs[i].slug, slug) == 0)
            return (int)i;
    return -1;
}

/* Wrong forms planted by W-WORDING and M-WORDING: errors every inspection dictionary
 * lists (data/wording.tsv), each in a sentence that is otherwise correct. */
const sim_wrong_t sim_wrongs[] = {
    {"名族", "民族", "全县各名族群众共同团结奋斗、共同繁荣发展，谱写新时代新篇章。"},
    {"中华人民共合国", "中华人民共和国",
     "依据《中华人民共合国政府信息公开条例》有关规定，现将相关情况公开如下。"},
    {"一代一路", "一带一路", "主动融入“一代一路”建设，推动更高水平对外开放。"},
    {"脱贫功坚", "脱贫攻坚", "巩固拓展脱贫功坚成果，接续推进乡村全面振兴。"},
    {"国务院办工厅", "国务院办公厅", "按照国务院办工厅有关文件要求，结合实际制定本方案。"},
};
const size_t sim_n_wrongs = sizeof sim_wrongs / sizeof sim_wrongs[0];

/* Spam as hijacked government pages carry it: one term of data/spam.tsv in each phrase, a
 * term that is evidence on its own there (weight 10), and nothing else of the dictionary. */
const sim_spam_t sim_spams[] = {
    {"百家乐", "百家乐官网"},
    {"六合彩资料", "六合彩资料大全免费提供"},
    {"网上娱乐城", "网上娱乐城官方网站"},
    {"太阳城娱乐", "太阳城娱乐官网入口"},
    {"代开各类发票", "代开各类发票，请加微信"},
};
const size_t sim_n_spams = sizeof sim_spams / sizeof sim_spams[0];

const char *const sim_spam_hosts[] = {"www.xpj-casino88.com", "www.amxpj-8888.com",
                                      "www.hg-0088.net", "www.ylc-6868.com"};
const size_t sim_n_spam_hosts = sizeof sim_spam_hosts / sizeof sim_spam_hosts[0];

const char *const sim_guide_elements[SIM_GUIDE_ELEMENTS] = {
    "事项名称", "设定依据", "申请条件", "办理材料", "办理地点",
    "办理机构", "收费标准", "办理时间", "联系电话", "办理流程",
};

const char *const sim_footer_keys[SIM_FOOTER_ITEMS] = {"conac", "sponsor", "contact", "sitecode",
                                                       "icp",   "psb",     "zhaocuo"};

/* Site name suffixes of province units beyond the department list. */
static const char *const prov_suffix[] = {"网站", "政务服务网", "信息公开网", "数据开放网",
                                          "互动平台"};

/* snprintf into a fixed field: names are far shorter than the fields, and a cut name is
 * still a name, so truncation is accepted rather than reported. */
__attribute__((format(printf, 3, 4))) static void setf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

static size_t count_list(const char *const *l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

/* Department rows that exist at a level (province or city/county). */
static const sim_dept_t *dept_at(bool province, unsigned k, unsigned *n_out)
{
    unsigned n = 0;
    const sim_dept_t *hit = NULL;
    /* Row 0 (news office) runs accounts, not websites; skip it for sites. */
    for (size_t i = 1; i < sim_n_depts; i++) {
        const char *nm = province ? sim_depts[i].prov : sim_depts[i].city;
        if (!nm)
            continue;
        if (n == k)
            hit = &sim_depts[i];
        n++;
    }
    if (n_out)
        *n_out = n;
    return hit;
}

void sim_text_site_identity(const sim_region_t *r, unsigned k, sim_target_t *t)
{
    unsigned nd;
    dept_at(r->counties == NULL, 0, &nd);
    if (!r->counties) {
        /* 省直部门: the departments, then their other platforms. */
        const sim_dept_t *d = dept_at(true, k % nd, NULL);
        unsigned round = k / nd;
        const char *suffix = prov_suffix[round % (sizeof prov_suffix / sizeof prov_suffix[0])];
        setf(t->owner, sizeof t->owner, "%s%s", r->place, d->prov);
        setf(t->place, sizeof t->place, "%s", t->owner);
        if (round < sizeof prov_suffix / sizeof prov_suffix[0])
            setf(t->name, sizeof t->name, "%s%s", t->owner, suffix);
        else
            setf(t->name, sizeof t->name, "%s%s%u", t->owner, suffix, round);
        return;
    }
    unsigned nc = (unsigned)count_list(r->counties);
    if (k == 0) {
        setf(t->name, sizeof t->name, "%s人民政府门户网站", r->place);
        setf(t->owner, sizeof t->owner, "%s人民政府办公室", r->place);
        setf(t->place, sizeof t->place, "%s", r->place);
        return;
    }
    k--;
    if (k < nc) {
        setf(t->name, sizeof t->name, "%s人民政府网站", r->counties[k]);
        setf(t->owner, sizeof t->owner, "%s人民政府办公室", r->counties[k]);
        setf(t->place, sizeof t->place, "%s", r->counties[k]);
        return;
    }
    k -= nc;
    if (k < nd) {
        const sim_dept_t *d = dept_at(false, k, NULL);
        setf(t->owner, sizeof t->owner, "%s%s", r->place, d->city);
        setf(t->name, sizeof t->name, "%s网站", t->owner);
        setf(t->place, sizeof t->place, "%s", t->owner);
        return;
    }
    k -= nd;
    /* County departments: county-major so that neighbours differ. */
    const char *county = r->counties[k % nc];
    const sim_dept_t *d = dept_at(false, (k / nc) % nd, NULL);
    unsigned round = k / (nc * nd);
    setf(t->owner, sizeof t->owner, "%s%s", county, d->city);
    setf(t->place, sizeof t->place, "%s", t->owner);
    if (round == 0)
        setf(t->name, sizeof t->name, "%s网站", t->owner);
    else
        setf(t->name, sizeof t->name, "%s网站%u", t->owner, round + 1);
}

void sim_text_account_identity(const sim_region_t *r, unsigned q, sim_target_t *t)
{
    bool province = r->counties == NULL;
    /* Rows usable at this level; the news office (row 0) comes first. */
    unsigned rows[64], n = 0;
    for (size_t i = 0; i < sim_n_depts && n < 64; i++)
        if (province ? sim_depts[i].prov != NULL : sim_depts[i].city != NULL)
            rows[n++] = (unsigned)i;
    /* One owner never has two accounts on one platform (that is M-DUPLICATE): account q
     * uses dept (q + shift) % n and platform (q / n + shift) % platforms, so two accounts
     * of one dept differ in q / n and so in platform (for q < n * 6); the region's shift
     * spreads small provinces over every platform. */
    unsigned shift = (unsigned)(r - sim_regions);
    unsigned di = rows[(q + shift) % n];
    const sim_dept_t *d = &sim_depts[di];
    t->u.acct.platform = (uint8_t)((q / n + shift) % sim_n_platforms);
    char shortname[64];
    snprintf(shortname, sizeof shortname, "%s", r->shortname);
    setf(t->owner, sizeof t->owner, "%s%s", r->place, province ? d->prov : d->city);
    setf(t->place, sizeof t->place, "%s", r->place);
    char nm[96];
    /* The pattern is one of the literals above, each with a single %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(nm, sizeof nm, d->acct, shortname);
#pragma GCC diagnostic pop
    unsigned round = q / (n * (unsigned)sim_n_platforms);
    if (round == 0)
        setf(t->name, sizeof t->name, "%s", nm);
    else
        setf(t->name, sizeof t->name, "%s%u", nm, round + 1);
    setf(t->id, sizeof t->id, "%sM%03u%s%04u", r->code, di + 1,
         sim_platforms[t->u.acct.platform].code, (q + 1) % 10000);
}

void sim_text_account_identity_as(const sim_region_t *r, unsigned q, unsigned dept_row,
                                  unsigned platform, const char *suffix, sim_target_t *t)
{
    bool province = r->counties == NULL;
    const sim_dept_t *d = &sim_depts[dept_row % sim_n_depts];
    const char *dname = province ? d->prov : d->city;
    t->u.acct.platform = (uint8_t)(platform % sim_n_platforms);
    setf(t->owner, sizeof t->owner, "%s%s", r->place, dname ? dname : "");
    setf(t->place, sizeof t->place, "%s", r->place);
    char nm[96];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(nm, sizeof nm, d->acct, r->shortname);
#pragma GCC diagnostic pop
    setf(t->name, sizeof t->name, "%s%s", nm, suffix);
    setf(t->id, sizeof t->id, "%sM%03u%s%04u", r->code, dept_row + 1,
         sim_platforms[t->u.acct.platform].code, (q + 1) % 10000);
}

/* ---------------------------------------------------------------- text */

static const char *const topics[] = {
    "安全生产",         "疫情防控",     "乡村振兴",       "优化营商环境",   "生态环境保护",
    "防汛抗旱",         "森林防火",     "政务公开",       "“放管服”改革",   "就业创业",
    "义务教育",         "医疗保障",     "城乡环境整治",   "文明城市创建",   "重点民生实事",
    "招商引资",         "数字政府建设", "河长制",         "消防安全",       "食品安全",
    "农村人居环境整治", "基层治理",     "信访工作",       "耕地保护",       "粮食安全",
    "民族团结进步",     "普法宣传",     "扫黑除恶常态化", "“一件事一次办”", "老旧小区改造",
    "城镇燃气安全",     "防范非法集资", "禁毒宣传",       "征兵",           "退役军人服务保障",
    "未成年人保护",     "养老服务",     "高标准农田建设", "生活垃圾分类",   "节能减排",
    "根治欠薪",         "安全饮水",     "政务服务",       "双拥共建",
};
#define N_TOPICS (sizeof topics / sizeof topics[0])

static const char *const t_news[] = {
    "%P召开%T工作推进会",       "%P部署%T重点工作",     "%P扎实推进%T",
    "%P%T工作取得阶段性成效",   "%P开展%T专项行动",     "%P举办%T业务培训班",
    "%P主要负责同志调研%T工作", "%P召开%T领导小组会议", "%P多措并举抓好%T",
    "%P%T工作经验获省级推介",
};
static const char *const t_notice[] = {
    "关于开展%T专项检查的通知",
    "关于做好%Y年%T工作的通知",
    "关于%T有关事项的公告",
    "%O%Y年公开招聘工作人员公告",
    "关于征求《%P%T实施方案（征求意见稿）》意见的公告",
    "关于%T工作督查情况的通报",
    "%O关于%T工作的公示",
};
static const char *const t_policy[] = {
    "%O关于印发《%P%T实施方案》的通知",
    "%O关于进一步加强%T工作的意见",
    "%P%T管理办法",
    "%O关于印发《%P%T三年行动计划》的通知",
    "%P%T工作规则",
};
static const char *const t_interp[] = {
    "《%P%T实施方案》政策解读",
    "一图读懂《%P%T管理办法》",
    "《关于进一步加强%T工作的意见》解读",
    "%O负责人就%T有关问题答记者问",
};
static const char *const t_personnel[] = {
    "%O干部任前公示",
    "%O关于%N等同志职务任免的通知",
    "%O%Y年公开遴选工作人员拟录用人员公示",
    "%O事业单位公开招聘拟聘用人员名单",
};
static const char *const t_plan[] = {
    "%P%Y年%T工作要点",       "%P“十四五”%T规划",   "%O%Y年工作计划",
    "%P%Y年上半年%T工作总结", "%O%Y年部门预算公开",
};
static const char *const t_interact[] = {
    "关于%T有关问题的咨询",
    "关于%T政策的咨询与答复",
    "网民关于%T问题的留言及回复",
    "%O就%T问题在线访谈",
};
/* Service guides (办事指南) of the 办事服务 column: the matter, then the word. */
static const char *const t_service[] = {
    "%T相关事项办事指南",
    "%P%T服务事项办事指南",
    "%T业务办理指南",
    "%O%T办事指南",
};
static const char *const t_open[] = {
    "%O%Y年%T资金使用情况", "%P%T重大项目建设进展情况", "%O%T工作机构及职能",
    "%P%T资源配置信息公开", "%O%Y年%T统计数据",
};
static const char *const t_special[] = {
    "%T专题",
    "学习贯彻%T精神",
    "%P%T宣传月",
    "聚焦%T",
};
static const char *const t_post[] = {
    "%P召开%T工作推进会",   "【关注】%T，这些要点请收好", "#%T# %P在行动",
    "提醒！%T相关事项公告", "【权威发布】%P%T最新进展",   "%P：%T工作取得新进展",
    "一图读懂%T",           "【便民】%T，办事指引看这里", "%P%T工作获点赞",
    "视频｜%P全力推进%T",
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴",
                                       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "罗", "邓"};
static const char *const given[] = {"建国", "志强", "海燕", "秀英", "伟",   "芳",   "敏",
                                    "静",   "立新", "红梅", "国庆", "卫东", "晓明", "春华",
                                    "建军", "小平", "文斌", "丽娟", "湘华", "利民"};

#define PICK(arr, rng) (arr)[sim_rng_below((rng), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))]

/* Expand a template: %P place, %O owner, %T topic, %Y year, %N a person. */
static void expand(gs_buf_t *out, const char *tpl, const sim_target_t *t, const char *topic,
                   int year, sim_rng_t *rng)
{
    for (const char *s = tpl; *s; s++) {
        if (*s != '%' || !s[1]) {
            gs_buf_putc(out, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'P':
            gs_buf_puts(out, t->place);
            break;
        case 'O':
            gs_buf_puts(out, t->owner);
            break;
        case 'T':
            gs_buf_puts(out, topic);
            break;
        case 'Y':
            gs_buf_printf(out, "%d", year);
            break;
        case 'N':
            gs_buf_puts(out, PICK(surnames, rng));
            gs_buf_puts(out, PICK(given, rng));
            break;
        default:
            gs_buf_putc(out, *s);
        }
    }
}

/* One template of tpls[0..n) for the rank-th of count columns of a class: the templates
 * i with i % count == rank (all of them when the class has more columns than templates). */
static const char *pick_split(const char *const *tpls, unsigned n, sim_rng_t *rng, unsigned rank,
                              unsigned count)
{
    if (count <= 1 || count > n || rank >= count)
        return tpls[sim_rng_below(rng, n)];
    unsigned m = (n - rank + count - 1) / count;
    return tpls[rank + sim_rng_below(rng, m) * count];
}

#define SPLIT(arr) pick_split((arr), (unsigned)(sizeof(arr) / sizeof((arr)[0])), rng, rank, count)

unsigned sim_text_title(gs_buf_t *out, sim_rng_t *rng, sim_colclass_t cls, const sim_target_t *t,
                        int year, unsigned rank, unsigned count)
{
    unsigned ti = sim_rng_below(rng, N_TOPICS);
    const char *topic = topics[ti];
    const char *tpl;
    switch (cls) {
    case SIM_CC_NEWS:
        tpl = SPLIT(t_news);
        break;
    case SIM_CC_NOTICE:
        tpl = SPLIT(t_notice);
        break;
    case SIM_CC_POLICY:
        tpl = SPLIT(t_policy);
        break;
    case SIM_CC_INTERP:
        tpl = SPLIT(t_interp);
        break;
    case SIM_CC_PERSONNEL:
        tpl = SPLIT(t_personnel);
        break;
    case SIM_CC_PLAN:
        tpl = SPLIT(t_plan);
        break;
    case SIM_CC_INTERACT:
        tpl = SPLIT(t_interact);
        break;
    case SIM_CC_SERVICE:
        tpl = SPLIT(t_service);
        break;
    case SIM_CC_OPEN:
        tpl = SPLIT(t_open);
        break;
    default:
        tpl = SPLIT(t_special);
    }
    expand(out, tpl, t, topic, year, rng);
    return ti;
}

unsigned sim_text_post_title(gs_buf_t *out, sim_rng_t *rng, const sim_target_t *t)
{
    unsigned ti = sim_rng_below(rng, N_TOPICS);
    const char *topic = topics[ti];
    sim_target_t shortened = *t;
    /* Posts speak of the region by its short name: 长沙, not 长沙市. */
    snprintf(shortened.place, sizeof shortened.place, "%s", sim_regions[t->region].shortname);
    expand(out, PICK(t_post, rng), &shortened, topic, 0, rng);
    return ti;
}

static const char *const sentences[] = {
    "为深入贯彻落实党中央、国务院和省委、省政府关于%T的决策部署，%O高度重视，迅速行动，"
    "切实把各项工作抓实抓细。",
    "会议指出，%T事关人民群众切身利益，各级各部门要提高政治站位，压实工作责任，"
    "确保各项任务落地见效。",
    "会议强调，要坚持问题导向，聚焦薄弱环节，建立健全工作台账，做到底数清、情况明、措施实。",
    "%P将以此次活动为契机，持续推进%T常态化、制度化，不断提升人民群众的获得感、幸福感、"
    "安全感。",
    "据了解，今年以来，%P累计开展%T专项检查%C次，发现并督促整改问题%C个，"
    "取得了阶段性成效。",
    "下一步，%O将进一步加强统筹协调，强化督促指导，推动%T工作再上新台阶。",
    "各有关单位要严格按照时间节点要求，认真组织实施，及时报送工作进展情况。",
    "活动现场，工作人员通过发放宣传资料、现场讲解等方式，向群众宣传%T相关政策和知识，"
    "共发放宣传资料%C余份。",
    "%O主要负责同志出席会议并讲话，相关科室负责人参加会议。",
    "要加强组织领导，明确责任分工，形成工作合力，确保%T各项工作有序推进。",
    "要坚持以人民为中心的发展思想，围绕群众急难愁盼问题，拿出更多务实举措。",
    "各地各部门要严格落实属地管理责任和行业监管责任，坚决守住不发生重大风险的底线。",
    "要加大宣传力度，充分利用政府网站、政务新媒体等平台，营造全社会共同参与%T的良好氛围。",
    "截至目前，%P已完成%T年度目标任务的%R%，各项指标均居全省前列。",
};

void sim_text_body(gs_buf_t *out, sim_rng_t *rng, int n, const char *open, const char *close,
                   const sim_target_t *t, unsigned topic_index)
{
    const char *topic = topics[topic_index % N_TOPICS];
    for (int i = 0; i < n; i++) {
        gs_buf_puts(out, open);
        int ns = sim_rng_range(rng, 2, 4);
        for (int j = 0; j < ns; j++) {
            const char *tpl = PICK(sentences, rng);
            for (const char *s = tpl; *s; s++) {
                if (s[0] == '%' && (s[1] == 'C' || s[1] == 'R')) {
                    /* Counts stay under 1000 so they never look like a year; rates are
                     * percentages of a plan. */
                    gs_buf_printf(out, "%d",
                                  s[1] == 'C' ? sim_rng_range(rng, 3, 960)
                                              : sim_rng_range(rng, 62, 98));
                    s++;
                } else if (s[0] == '%' && s[1] == '%') {
                    gs_buf_putc(out, '%');
                    s++;
                } else if (s[0] == '%' && (s[1] == 'P' || s[1] == 'O' || s[1] == 'T')) {
                    char two[3] = {'%', s[1], 0};
                    expand(out, two, t, topic, 0, rng);
                    s++;
                } else {
                    gs_buf_putc(out, *s);
                }
            }
        }
        gs_buf_puts(out, close);
    }
}

void sim_date_format(sim_datefmt_t f, gs_ymd_t d, char *out, size_t outlen)
{
    switch (f) {
    case SIM_DF_SLASH:
        snprintf(out, outlen, "%04d/%d/%d", d.y, d.m, d.d);
        break;
    case SIM_DF_DOT:
        snprintf(out, outlen, "%04d.%02d.%02d", d.y, d.m, d.d);
        break;
    case SIM_DF_CN:
        snprintf(out, outlen, "%04d年%d月%d日", d.y, d.m, d.d);
        break;
    case SIM_DF_BRACKET_MD:
        snprintf(out, outlen, "[%02d-%02d]", d.m, d.d);
        break;
    case SIM_DF_MD:
        snprintf(out, outlen, "%02d-%02d", d.m, d.d);
        break;
    default:
        snprintf(out, outlen, "%04d-%02d-%02d", d.y, d.m, d.d);
    }
}

int sim_html_escape(gs_buf_t *out, const char *s, size_t len)
{
    size_t start = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            continue;
        }
        rc = gs_buf_append(out, s + start, i - start);
        if (rc == 0)
            rc = gs_buf_puts(out, rep);
        start = i + 1;
    }
    return rc ? rc : gs_buf_append(out, s + start, len - start);
}

uint64_t sim_hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

const char *sim_text_topic(unsigned i)
{
    return topics[i % N_TOPICS];
}

void sim_text_person(gs_buf_t *out, sim_rng_t *rng)
{
    gs_buf_puts(out, PICK(surnames, rng));
    gs_buf_puts(out, PICK(given, rng));
}

void sim_text_id_number(sim_rng_t *rng, const sim_target_t *t, bool broken, char *out)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    const char *code = sim_regions[t->region].code;
    int y = sim_rng_range(rng, 1962, 2001), m = sim_rng_range(rng, 1, 12);
    int d = sim_rng_range(rng, 1, 28);
    snprintf(out, 19, "%.4s%02d%04d%02d%02d%03d", code, sim_rng_range(rng, 1, 11), y, m, d,
             sim_rng_range(rng, 1, 999));
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weights[i];
    char c = checks[sum % 11];
    /* A broken one differs in its check character only: the checksum tells it apart. */
    if (broken)
        c = checks[(sum + 1) % 11];
    out[17] = c;
    out[18] = 0;
}

void sim_text_mobiles(sim_rng_t *rng, unsigned n, char (*out)[12])
{
    static const char second[] = "35789";
    for (unsigned i = 0; i < n; i++) {
        bool dup;
        do {
            snprintf(out[i], 12, "1%c%09u", second[sim_rng_below(rng, 5)],
                     (unsigned)sim_rng_below(rng, 1000000000u));
            dup = false;
            for (unsigned j = 0; j < i; j++)
                dup = dup || strcmp(out[i], out[j]) == 0;
        } while (dup);
    }
}
