/*
 * dashboard-chart: Apache ECharts for the dashboard (web/vendor/echarts,
 * copied from npm by deploy/install-deps), loaded once as a classic script
 * when the dashboard first opens, and the weekly trend chart.
 *
 * Under the page's CSP (no inline styles) the tooltip is drawn in the
 * canvas (renderMode 'richText'), never as HTML with style attributes.
 */
let loading = null;

/* Resolves to window.echarts, loading the script the first time. */
export function loadECharts() {
	if (window.echarts) return Promise.resolve(window.echarts);
	if (!loading) {
		loading = new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = '/vendor/echarts/echarts.min.js';
			s.async = true;
			s.onload = () => resolve(window.echarts);
			s.onerror = () => {
				loading = null;
				reject(new Error('could not load ECharts'));
			};
			document.head.append(s);
		});
	}
	return loading;
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const pct = (r) => (r && r.rate !== null ? Math.round(r.rate * 1000) / 10 : null);

/* Draws (or redraws) the trend of rows (the trend API's items) into el;
 * returns the chart (dispose() it when the screen goes). */
export function trendChart(echarts, el, rows, chart) {
	const c = chart || echarts.init(el, null, { renderer: 'canvas' });
	const text = css('--color-text') || '#1b2430';
	const muted = css('--color-text-muted') || '#4a5565';
	c.setOption({
		animation: false,
		textStyle: { fontFamily: css('--font-sans') || 'sans-serif', color: text },
		color: [css('--color-border') || '#c9d1dc', css('--color-brand') || '#0b4f8a', '#1d6b34', '#a4161a'],
		tooltip: { trigger: 'axis', renderMode: 'richText' },
		legend: { top: 0, textStyle: { color: text } },
		grid: { left: 48, right: 56, top: 40, bottom: 32 },
		xAxis: { type: 'category', data: rows.map((r) => r.bucket.slice(5)), axisLabel: { color: muted } },
		yAxis: [
			{ type: 'value', name: '诉求数', minInterval: 1, axisLabel: { color: muted }, nameTextStyle: { color: muted } },
			{ type: 'value', name: '%', min: 0, max: 100, axisLabel: { color: muted }, nameTextStyle: { color: muted } },
		],
		series: [
			{ name: '诉求数', type: 'bar', data: rows.map((r) => r.tickets) },
			{ name: '响应率', type: 'line', yAxisIndex: 1, connectNulls: false, data: rows.map((r) => pct(r.response_rate)) },
			{ name: '解决率', type: 'line', yAxisIndex: 1, connectNulls: false, data: rows.map((r) => pct(r.resolution_rate)) },
			{ name: '满意率', type: 'line', yAxisIndex: 1, connectNulls: false, data: rows.map((r) => pct(r.satisfaction_rate)) },
		],
	}, true);
	return c;
}
