/**
 * Progress on the terminal: scenario, target, run i/N, step, elapsed and ETA, live requests and errors. On a
 * TTY one status line is redrawn every second; otherwise a line per step start and end (CI logs stay short).
 */
import type { Live } from '../k6/k6.js';

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}

export class Progress {
  private readonly t0 = performance.now();
  private plannedDone = 0;
  private label = '';
  private stepStart = 0;
  private stepSeconds = 0;
  private live: Live | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;

  /** @param remaining the planned seconds of all the work to do (re-estimated with `replan`) */
  constructor(
    private remaining: number,
    private readonly write: (s: string) => void = (s) => process.stderr.write(s),
    tty = Boolean(process.stderr.isTTY),
  ) {
    this.tty = tty;
  }

  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Remaining time, scaled by how the real time so far compares with the plan (overheads included). */
  eta(): number {
    const pace = this.plannedDone > 0 ? this.elapsed() / this.plannedDone : 1.3;
    return this.remaining * Math.max(1, pace);
  }

  /** The planned seconds of the work still to do, estimated afresh (a ladder's length is known once one ran). */
  replan(remainingSeconds: number): void {
    this.remaining = remainingSeconds;
  }

  line(text: string): void {
    this.clearLine();
    this.write(`${text}\n`);
    this.draw();
  }

  private clearLine(): void {
    if (this.tty) this.write('\r\x1b[2K');
  }

  private status(): string {
    const l = this.live;
    const inStep = this.stepStart ? (performance.now() - this.stepStart) / 1000 : 0;
    const liveText = l
      ? ` · ${l.requests.toLocaleString('en-US')} req (${Math.round(l.rps)}/s) · errors ${(l.failedRate * 100).toFixed(2)}%` +
        (l.checksRate < 1 ? ` · checks failing ${((1 - l.checksRate) * 100).toFixed(2)}%` : '')
      : '';
    return `${this.label} · ${clock(inStep)}/${clock(this.stepSeconds)} · elapsed ${clock(this.elapsed())} · ETA ${clock(this.eta())}${liveText}`;
  }

  private draw(): void {
    if (this.tty && this.label) this.write(`\r\x1b[2K${this.status()}`);
  }

  begin(label: string, seconds: number): void {
    this.label = label;
    this.stepSeconds = seconds;
    this.stepStart = performance.now();
    this.live = null;
    if (this.tty) {
      this.draw();
      this.timer ??= setInterval(() => this.draw(), 1000);
      this.timer.unref();
    } else
      this.write(
        `${label} · ${clock(seconds)} · elapsed ${clock(this.elapsed())} · ETA ${clock(this.eta())}\n`,
      );
  }

  onLive(l: Live): void {
    const wasFailing = this.live && (this.live.failedRate > 0 || this.live.checksRate < 1);
    this.live = l;
    // Errors are news: without a TTY they get a line of their own the first time they appear.
    if (!this.tty && !wasFailing && (l.failedRate > 0 || l.checksRate < 1))
      this.write(`  ! ${this.status()}\n`);
  }

  end(plannedSeconds: number, summary: string): void {
    this.plannedDone += plannedSeconds;
    this.remaining = Math.max(0, this.remaining - plannedSeconds);
    this.clearLine();
    this.write(`${summary}\n`);
    this.label = '';
    this.stepStart = 0;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clearLine();
  }
}
