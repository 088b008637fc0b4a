package io.salespulse.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static io.salespulse.report.Formats.html;

/** Inline SVG line charts: no script, no library, readable in any browser and in a mail client. */
final class Svg {

    private static final int WIDTH = 360;
    private static final int HEIGHT = 120;
    private static final int PAD_LEFT = 4;
    private static final int PAD_TOP = 14;
    private static final int PAD_BOTTOM = 16;

    private Svg() {
    }

    /** One line per run of non-null values (a gap where a value is missing), with min/max and date labels. */
    static String line(List<LocalDate> days, List<Double> values, Function<Double, String> label) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Double v : values) {
            if (v != null && !v.isNaN()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.US,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\">", WIDTH, HEIGHT));
        if (days.isEmpty() || min == Double.POSITIVE_INFINITY) {
            return b.append("<text x=\"8\" y=\"60\" font-size=\"11\" fill=\"#6b7280\">no data</text></svg>").toString();
        }
        double span = max - min == 0 ? 1 : max - min;
        double plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
        double step = days.size() == 1 ? 0 : (WIDTH - PAD_LEFT * 2.0) / (days.size() - 1);
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            Double v = values.get(i);
            if (v == null || v.isNaN()) {
                if (run.length() > 0) {
                    runs.add(run.toString());
                    run.setLength(0);
                }
                continue;
            }
            double x = PAD_LEFT + i * step;
            double y = PAD_TOP + plotHeight - (v - min) / span * plotHeight;
            run.append(String.format(Locale.US, "%.1f,%.1f ", x, y));
        }
        if (run.length() > 0) {
            runs.add(run.toString());
        }
        b.append(String.format(Locale.US, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e5e7eb\"/>",
                HEIGHT - PAD_BOTTOM, WIDTH, HEIGHT - PAD_BOTTOM));
        for (String points : runs) {
            String[] xy = points.trim().split(" ");
            if (xy.length == 1) {
                // a lone value between gaps: a dot, or it would not show at all
                String[] p = xy[0].split(",");
                b.append("<circle fill=\"#2563eb\" r=\"2\" cx=\"").append(p[0]).append("\" cy=\"").append(p[1]).append("\"/>");
            } else {
                b.append("<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"1.5\" points=\"").append(points.trim()).append("\"/>");
            }
        }
        b.append("<text x=\"4\" y=\"10\" font-size=\"10\" fill=\"#6b7280\">max ").append(html(label.apply(max))).append("</text>")
                .append(String.format(Locale.US, "<text x=\"%d\" y=\"10\" font-size=\"10\" fill=\"#6b7280\" text-anchor=\"end\">min ",
                        WIDTH - 4)).append(html(label.apply(min))).append("</text>")
                .append(String.format(Locale.US, "<text x=\"4\" y=\"%d\" font-size=\"10\" fill=\"#6b7280\">", HEIGHT - 3))
                .append(days.get(0)).append("</text>")
                .append(String.format(Locale.US, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#6b7280\" text-anchor=\"end\">",
                        WIDTH - 4, HEIGHT - 3)).append(days.get(days.size() - 1)).append("</text></svg>");
        return b.toString();
    }
}
