import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { Locale } from '../i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface HourBucket {
  hour: string;
  completed: number;
  dead: number;
}

/** Exports (completed jobs) and failures (dead jobs) per hour, every hour of the window shown. */
export function ThroughputChart({ buckets, hours, locale, labels }: { buckets: HourBucket[]; hours: number; locale: Locale; labels: { completed: string; dead: string } }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!canvas.current) return;
    const byHour = new Map(buckets.map((b) => [b.hour.slice(0, 13), b]));
    const end = new Date();
    end.setMinutes(0, 0, 0);
    const hoursList = Array.from({ length: hours }, (_, i) => new Date(end.getTime() - (hours - 1 - i) * 3_600_000));
    const format = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { day: '2-digit', month: '2-digit', hour: '2-digit' });
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: hoursList.map((h) => format.format(h)),
        datasets: [
          { label: labels.completed, data: hoursList.map((h) => byHour.get(h.toISOString().slice(0, 13))?.completed ?? 0), backgroundColor: '#3f8f77', stack: 'jobs' },
          { label: labels.dead, data: hoursList.map((h) => byHour.get(h.toISOString().slice(0, 13))?.dead ?? 0), backgroundColor: '#c8553d', stack: 'jobs' },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxTicksLimit: 12, maxRotation: 0 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    return () => chart.destroy();
  }, [buckets, hours, locale, labels.completed, labels.dead]);

  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={`${labels.completed} / ${labels.dead}`} />
    </div>
  );
}
