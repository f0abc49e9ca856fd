-- Demo demand categories for `suqiu-admin seed-demo`: a two-level tree with
-- GB/T 39666-style codes. A top-level code is two letters (拼音 initials, e.g.
-- ZC 政策咨询); a child appends a two-digit number (ZC01, ZC02, ...).
-- lead_org_ids are the suggested lead (主办) orgs, looked up by name in the
-- order listed; 其他 suggests none. Safe to run again: existing rows stay
-- (codes are unique), and names or settings changed since are left alone.

INSERT INTO categories (parent_id, code, name, default_urgency, lead_org_ids)
SELECT NULL, v.code, v.name, v.urgency,
       ARRAY(SELECT o.id
             FROM unnest(v.orgs) WITH ORDINALITY AS l (name, n)
             JOIN orgs o ON o.name = l.name AND o.kind IN ('center', 'bureau')
             ORDER BY l.n)
FROM (VALUES ('ZC', '政策咨询', 'normal', ARRAY['区经委', '区发展改革委']),
             ('SP', '审批许可', 'normal', ARRAY['区市场监管局']),
             ('GH', '规划土地', 'normal', ARRAY['区规划资源局']),
             ('RS', '用工人社', 'normal', ARRAY['区人社局']),
             ('RZ', '融资', 'normal', ARRAY['区经委', '区发展改革委']),
             ('ZS', '知识产权', 'normal', ARRAY['区市场监管局']),
             ('TQ', '拖欠账款', 'urgent', ARRAY['区经委', '区发展改革委']),
             ('SD', '水电气网', 'urgent', ARRAY['区经委', '区建管委']),
             ('HB', '环保', 'normal', ARRAY['区生态环境局']),
             ('SC', '市场监管', 'normal', ARRAY['区市场监管局']),
             ('SW', '税务', 'normal', ARRAY['区税务局']),
             ('QT', '其他', 'normal', ARRAY[]::text[])) AS v (code, name, urgency, orgs)
ON CONFLICT DO NOTHING;

INSERT INTO categories (parent_id, code, name, default_urgency, lead_org_ids)
SELECT p.id, v.code, v.name, v.urgency,
       ARRAY(SELECT o.id
             FROM unnest(v.orgs) WITH ORDINALITY AS l (name, n)
             JOIN orgs o ON o.name = l.name AND o.kind IN ('center', 'bureau')
             ORDER BY l.n)
FROM (VALUES ('ZC', 'ZC01', '惠企政策', 'normal', ARRAY['区经委']),
             ('ZC', 'ZC02', '人才政策', 'normal', ARRAY['区人社局', '区科委']),
             ('ZC', 'ZC03', '科技创新政策', 'normal', ARRAY['区科委']),
             ('ZC', 'ZC04', '招商与外资政策', 'normal', ARRAY['区商务委', '区发展改革委']),
             ('SP', 'SP01', '企业登记', 'normal', ARRAY['区市场监管局']),
             ('SP', 'SP02', '工程建设审批', 'normal', ARRAY['区建管委', '区规划资源局']),
             ('SP', 'SP03', '经营许可', 'normal', ARRAY['区市场监管局']),
             ('SP', 'SP04', '投资项目备案', 'normal', ARRAY['区发展改革委']),
             ('GH', 'GH01', '产业用地', 'normal', ARRAY['区规划资源局']),
             ('GH', 'GH02', '规划调整', 'normal', ARRAY['区规划资源局']),
             ('GH', 'GH03', '不动产登记', 'normal', ARRAY['区规划资源局']),
             ('GH', 'GH04', '厂房与载体', 'normal', ARRAY['区经委', '区规划资源局']),
             ('RS', 'RS01', '招聘用工', 'normal', ARRAY['区人社局']),
             ('RS', 'RS02', '社会保险', 'normal', ARRAY['区人社局']),
             ('RS', 'RS03', '劳动关系', 'normal', ARRAY['区人社局']),
             ('RS', 'RS04', '人才落户与居住证', 'normal', ARRAY['区人社局']),
             ('RZ', 'RZ01', '银行贷款', 'normal', ARRAY['区经委']),
             ('RZ', 'RZ02', '政策性融资担保', 'normal', ARRAY['区经委']),
             ('RZ', 'RZ03', '上市培育', 'normal', ARRAY['区发展改革委']),
             ('ZS', 'ZS01', '专利', 'normal', ARRAY['区市场监管局']),
             ('ZS', 'ZS02', '商标', 'normal', ARRAY['区市场监管局']),
             ('ZS', 'ZS03', '知识产权保护', 'normal', ARRAY['区市场监管局', '区科委']),
             ('TQ', 'TQ01', '机关事业单位拖欠', 'urgent', ARRAY['区经委', '区发展改革委']),
             ('TQ', 'TQ02', '国有企业拖欠', 'urgent', ARRAY['区经委']),
             ('TQ', 'TQ03', '工程款拖欠', 'urgent', ARRAY['区建管委']),
             ('SD', 'SD01', '供电', 'urgent', ARRAY['区经委']),
             ('SD', 'SD02', '供水排水', 'urgent', ARRAY['区建管委']),
             ('SD', 'SD03', '燃气', 'urgent', ARRAY['区建管委']),
             ('SD', 'SD04', '通信网络', 'normal', ARRAY['区经委']),
             ('HB', 'HB01', '环评审批', 'normal', ARRAY['区生态环境局']),
             ('HB', 'HB02', '排污许可', 'normal', ARRAY['区生态环境局']),
             ('HB', 'HB03', '环境执法', 'normal', ARRAY['区生态环境局']),
             ('SC', 'SC01', '产品质量与标准', 'normal', ARRAY['区市场监管局']),
             ('SC', 'SC02', '食品安全', 'normal', ARRAY['区市场监管局']),
             ('SC', 'SC03', '价格与广告', 'normal', ARRAY['区市场监管局']),
             ('SC', 'SC04', '特种设备', 'normal', ARRAY['区市场监管局']),
             ('SW', 'SW01', '税费优惠', 'normal', ARRAY['区税务局']),
             ('SW', 'SW02', '发票', 'normal', ARRAY['区税务局']),
             ('SW', 'SW03', '出口退税', 'normal', ARRAY['区税务局', '区商务委']),
             ('QT', 'QT01', '意见建议', 'normal', ARRAY[]::text[]),
             ('QT', 'QT02', '其他诉求', 'normal', ARRAY[]::text[])) AS v (parent, code, name, urgency, orgs)
JOIN categories p ON p.code = v.parent AND p.parent_id IS NULL
ON CONFLICT DO NOTHING;
