-- Demo SLA policies: complex matters (规划土地, 知识产权, 拖欠账款 and their
-- children) get 15 working days to resolve. Safe to run again.
INSERT INTO sla_policies (category_id, urgency, clock, accept_amount, accept_unit, contact_amount, contact_unit,
                          resolve_amount, resolve_unit, feedback_amount, feedback_unit)
SELECT c.id, 'normal', 'working', 1, 'days', 1, 'days', 15, 'days', 1, 'days'
FROM categories c WHERE c.code IN ('GH', 'ZS', 'TQ')
ON CONFLICT DO NOTHING;
