-- Demo district for `suqiu-admin seed-demo`: 闵行区, its enterprise service center,
-- bureaus, towns/streets and a few offices. Safe to run again: existing rows stay.
INSERT INTO orgs (parent_id, kind, name, short_name)
SELECT NULL, 'district', '闵行区', 'MH'
WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE parent_id IS NULL);

INSERT INTO orgs (parent_id, kind, name, short_name)
SELECT d.id, v.kind, v.name, v.short_name
FROM orgs d,
     (VALUES ('center', '闵行区企业服务中心', '企服中心'),
             ('bureau', '区市场监管局', '市场监管'),
             ('bureau', '区规划资源局', '规划资源'),
             ('bureau', '区人社局', '人社'),
             ('bureau', '区经委', '经委'),
             ('bureau', '区建管委', '建管委'),
             ('bureau', '区税务局', '税务'),
             ('bureau', '区生态环境局', '生态环境'),
             ('bureau', '区商务委', '商务委'),
             ('bureau', '区发展改革委', '发改委'),
             ('bureau', '区科委', '科委'),
             ('town', '莘庄镇', '莘庄'),
             ('town', '七宝镇', '七宝'),
             ('town', '虹桥镇', '虹桥'),
             ('town', '梅陇镇', '梅陇'),
             ('town', '浦江镇', '浦江'),
             ('town', '江川路街道', '江川路'),
             ('town', '新虹街道', '新虹'),
             ('town', '古美路街道', '古美路')) AS v (kind, name, short_name)
WHERE d.parent_id IS NULL
ON CONFLICT (parent_id, name) DO NOTHING;

INSERT INTO orgs (parent_id, kind, name, short_name)
SELECT p.id, 'office', v.name, v.short_name
FROM (VALUES ('区市场监管局', '登记注册科', '登记注册'),
             ('区市场监管局', '综合执法大队', '执法大队'),
             ('区规划资源局', '用地管理科', '用地管理'),
             ('区人社局', '劳动关系科', '劳动关系'),
             ('莘庄镇', '莘庄镇企业服务办', '莘庄企服'),
             ('七宝镇', '七宝镇企业服务办', '七宝企服')) AS v (parent, name, short_name)
JOIN orgs p ON p.name = v.parent AND p.kind IN ('bureau', 'town')
ON CONFLICT (parent_id, name) DO NOTHING;
