// A small echarts wrapper: init on mount, setOption on change, resize with its container,
// dispose on unmount. Renders to a canvas inside the container div.
import { useEffect, useRef } from 'react';
import { echarts, palette, type ChartOption } from './echarts';

const CHART_FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export interface ChartProps {
  option: ChartOption;
  /** CSS height of the chart container (the width follows the layout). */
  height?: number | string;
  testId?: string;
  className?: string;
  /** Accessible description of the chart. */
  ariaLabel?: string;
}

export function Chart({ option, height = 320, testId, className, ariaLabel }: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const instance = echarts.init(node, null, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      { color: palette, textStyle: { fontFamily: CHART_FONT }, animation: false, ...option },
      { notMerge: true },
    );
  }, [option]);

  return (
    <div
      ref={el}
      className={['chart', className].filter(Boolean).join(' ')}
      data-testid={testId}
      role="img"
      aria-label={ariaLabel}
      style={{ height, width: '100%' }}
    />
  );
}
