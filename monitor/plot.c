// SPDX-License-Identifier: GPL-2.0
/*
 * The series as an SVG: one panel per quantity, one line per CPU (or per
 * event counter), verdict windows shaded.  No script, no external file:
 * a browser or an image viewer shows it as it is.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"
#include "error.h"
#include "output.h"

#define WIDTH 960
#define PANEL_H 170
#define LEFT 72
#define RIGHT 170
#define TOP 40
#define GAP 40
#define PLOT_W (WIDTH - LEFT - RIGHT)

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

struct panel {
	const char *title;
	unsigned int index;		/* 0, 1, 2 from the top */
	double ymax;
	double tmax;
};

/* A value of line @line at sample @i; KT_NA breaks the line there. */
typedef double (*value_fn)(const struct kt_series *s, size_t i,
			   unsigned int line, bool *ok);

static double cpu_value(const struct kt_series *s, size_t i,
			unsigned int cpu, enum kt_cpu_value what, bool *ok)
{
	int64_t v = s->samples[i].cpu[cpu].v[what];

	*ok = v != KT_NA;
	return *ok ? (double)v : 0;
}

static double runnable(const struct kt_series *s, size_t i,
		       unsigned int cpu, bool *ok)
{
	return cpu_value(s, i, cpu, KT_CV_NR_RUNNING, ok);
}

static double dsq_depth(const struct kt_series *s, size_t i,
			unsigned int cpu, bool *ok)
{
	return cpu_value(s, i, cpu, KT_CV_LOCAL_DSQ, ok);
}

static double event_rate(const struct kt_series *s, size_t i,
			 unsigned int e, bool *ok)
{
	int64_t a, b;
	double dt;

	*ok = false;
	if (!i)
		return 0;
	a = kt_sample_event_total(&s->samples[i - 1], e);
	b = kt_sample_event_total(&s->samples[i], e);
	dt = kt_series_time(s, i) - kt_series_time(s, i - 1);
	if (a == KT_NA || b == KT_NA || b < a || dt <= 0)
		return 0;
	*ok = true;
	return (b - a) / dt;
}

static double y_of(const struct panel *p, double v)
{
	double top = TOP + p->index * (PANEL_H + GAP);

	return top + PANEL_H - (v / p->ymax) * PANEL_H;
}

static double x_of(const struct panel *p, double t)
{
	return LEFT + (p->tmax > 0 ? t / p->tmax : 0) * PLOT_W;
}

static void frame(FILE *f, const struct panel *p)
{
	double top = TOP + p->index * (PANEL_H + GAP);

	fprintf(f, "<text x=\"%d\" y=\"%.0f\" font-weight=\"bold\">%s</text>\n",
		LEFT, top - 8, p->title);
	fprintf(f, "<rect x=\"%d\" y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
		LEFT, top, PLOT_W, PANEL_H);
	fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.3g</text>\n",
		LEFT - 4, top + 10, p->ymax);
	fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">0</text>\n",
		LEFT - 4, top + PANEL_H);
	fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.1fs</text>\n",
		LEFT + PLOT_W, top + PANEL_H + 14, p->tmax);
}

static double max_of(const struct kt_series *s, value_fn fn,
		     unsigned int lines)
{
	double max = 1, v;
	unsigned int l;
	size_t i;
	bool ok;

	for (l = 0; l < lines; l++)
		for (i = 0; i < s->count; i++) {
			v = fn(s, i, l, &ok);
			if (ok && v > max)
				max = v;
		}
	return max;
}

/* Line @l of @fn, drawn and labelled as the panel's @slot-th line. */
static void line(FILE *f, const struct kt_series *s, const struct panel *p,
		 value_fn fn, unsigned int l, unsigned int slot,
		 const char *label)
{
	const char *color = palette[slot % ARRAY_SIZE(palette)];
	bool ok, drawing = false;
	double top = TOP + p->index * (PANEL_H + GAP);
	size_t i;

	fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" d=\"",
		color);
	for (i = 0; i < s->count; i++) {
		double v = fn(s, i, l, &ok);

		if (!ok) {
			drawing = false;
			continue;
		}
		fprintf(f, "%c%.1f %.1f ", drawing ? 'L' : 'M',
			x_of(p, kt_series_time(s, i)), y_of(p, v));
		drawing = true;
	}
	fputs("\"/>\n", f);
	fprintf(f, "<text x=\"%d\" y=\"%.0f\" fill=\"%s\" font-size=\"11\">%s</text>\n",
		LEFT + PLOT_W + 8, top + 12 + 13 * slot, color, label);
}

static void shade_verdicts(FILE *f, const struct panel *p,
			   const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	double top = TOP + p->index * (PANEL_H + GAP);
	unsigned int k;

	for (k = 0; k < KT_NR_VERDICTS; k++) {
		double x0 = x_of(p, v[k].t0), x1 = x_of(p, v[k].t1);

		if (!v[k].tripped)
			continue;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"#d62728\" fill-opacity=\"0.15\"><title>%s: %s</title></rect>\n",
			x0, top, x1 - x0 > 2 ? x1 - x0 : 2, PANEL_H,
			kt_monitor_verdict_name(k), v[k].detail);
	}
}

static void cpu_panel(FILE *f, const struct kt_series *s, struct panel *p,
		      value_fn fn, const struct kt_monitor_verdict *v)
{
	char label[32];
	unsigned int cpu;

	p->ymax = max_of(s, fn, s->nr_cpus);
	frame(f, p);
	if (v)
		shade_verdicts(f, p, v);
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		snprintf(label, sizeof(label), "cpu %u", cpu);
		line(f, s, p, fn, cpu, cpu, label);
	}
}

/*
 * Counters that moved; the *_DURATION ones count nanoseconds, not
 * events, and would flatten every other line.
 */
static bool event_moves(const struct kt_series *s, unsigned int e)
{
	int64_t first = KT_NA, v;
	size_t i;

	if (strstr(s->layout->events[e].name, "_DURATION"))
		return false;
	for (i = 0; i < s->count; i++) {
		v = kt_sample_event_total(&s->samples[i], e);
		if (v == KT_NA)
			continue;
		if (first == KT_NA)
			first = v;
		else if (v != first)
			return true;
	}
	return false;
}

static void event_panel(FILE *f, const struct kt_series *s, struct panel *p)
{
	unsigned int e, shown = 0;

	p->ymax = 1;
	for (e = 0; e < s->layout->nr_events; e++) {
		size_t i;
		bool ok;

		if (!event_moves(s, e))
			continue;
		for (i = 0; i < s->count; i++) {
			double r = event_rate(s, i, e, &ok);

			if (ok && r > p->ymax)
				p->ymax = r;
		}
	}
	frame(f, p);
	for (e = 0; e < s->layout->nr_events; e++) {
		if (!event_moves(s, e))
			continue;
		/* SCX_EV_ is on every name: leave it out of the legend. */
		line(f, s, p, event_rate, e, shown++,
		     s->layout->events[e].name + 7);
	}
	if (!shown)
		fprintf(f, "<text x=\"%d\" y=\"%.0f\" fill=\"#777\">no event counter moved (or no sched_ext scheduler)</text>\n",
			LEFT + 10, TOP + p->index * (PANEL_H + GAP) + PANEL_H / 2.0);
}

int kt_monitor_plot(const char *path, const char *title,
		    const struct kt_series *s,
		    const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	struct panel runq = { .title = "runnable tasks (rq nr_running)" };
	struct panel dsq = { .title = "local DSQ depth", .index = 1 };
	struct panel events = { .title = "sched_ext events per second",
				.index = 2 };
	char tmp[4096 + 8];
	double tmax = s->count ? kt_series_time(s, s->count - 1) : 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return kt_fail_errno("monitor plot %s", path);
	runq.tmax = dsq.tmax = events.tmax = tmax;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		WIDTH, TOP + 3 * (PANEL_H + GAP));
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"20\" font-size=\"14\">", LEFT);
	for (; title && *title; title++)
		fputs(*title == '<' ? "&lt;" : *title == '&' ? "&amp;" :
		      (char[]){ *title, 0 }, f);
	fprintf(f, " (%zu samples, %u ms)</text>\n", s->count, s->interval_ms);
	cpu_panel(f, s, &runq, runnable, v);
	cpu_panel(f, s, &dsq, dsq_depth, NULL);
	event_panel(f, s, &events);
	fputs("</svg>\n", f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return kt_fail_errno("monitor plot %s", path);
	}
	return 0;
}
