/* demo: the demo district's logins; see demo.h. */
#include "core/demo.h"

const struct demo_user demo_users[] = {
	{ "admin", "系统管理员", "admin", "闵行区", NULL },
	{ "zhuanyuan", "王晓燕", "specialist", "闵行区企业服务中心", NULL },
	{ "shichang", "李建国", "bureau_handler", "区市场监管局", NULL },
	{ "shichang_lead", "赵志刚", "bureau_leader", "区市场监管局", NULL },
	{ "guihua", "陈敏", "bureau_handler", "区规划资源局", NULL },
	{ "duban", "周立群", "supervisor", "闵行区", NULL },
	{ "lingdao", "吴国平", "leader", "闵行区", NULL },
	{ "xinzhuang", "孙丽", "town_viewer", "莘庄镇", NULL },
	{ "renshe", "马俊", "bureau_handler", "区人社局", NULL },
	{ "xinzhuang_ban", "何静", "bureau_handler", "莘庄镇", NULL },
	{ "qiye1", "刘洋", "enterprise", "莘庄镇", "上海闵芯微电子有限公司" },
	{ "qiye2", "黄静", "enterprise", "七宝镇", "上海七宝食品有限公司" },
};

const size_t demo_user_count = sizeof demo_users / sizeof demo_users[0];
