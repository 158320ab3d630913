import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createSenderHandler, type SenderRuntime } from '../../lambda/sender/handler.ts';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import { DELIVERY_METRICS, powertoolsMailEventMetrics, powertoolsSendMetrics, type SendMetrics } from '../../lambda/shared/delivery/metrics.ts';
import type { BatchReport, RecipientOutcome, SenderService } from '../../lambda/shared/delivery/sender.ts';
import { silentLog } from '../../lambda/shared/logger.ts';

// The delivery metrics: what the sender handler hands its metrics port per batch, and the EMF the
// Powertools adapters write for the dashboard (read back with serializeMetrics, so nothing is printed).

const counts = (c: Partial<Record<RecipientOutcome, number>>): Record<RecipientOutcome, number> => ({
  sent: 0, 'already-done': 0, skipped: 0, rejected: 0, failed: 0, uncertain: 0, 'given-up': 0, ...c,
});

function sqsEvent(n: number): SQSEvent {
  return {
    Records: Array.from({ length: n }, (_, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: JSON.stringify({ runId: 'digest#daily#2026-11-27T06:00:00.000Z', kind: 'digest', issueKey: 'issues/x/all.json', recipients: [`s${i}`] }),
      attributes: { ApproximateReceiveCount: '1' },
    })),
  } as unknown as SQSEvent;
}

describe('sender handler metrics', () => {
  it('hands each batch\'s outcomes, summed over its jobs, to the metrics port and flushes once per invocation', async () => {
    const report: BatchReport = {
      failedItemIds: ['m1'],
      jobs: [
        { runId: 'r', counts: counts({ sent: 40, skipped: 2, rejected: 1 }), retry: [] },
        { runId: 'r', counts: counts({ sent: 5, 'already-done': 3, failed: 2, uncertain: 1 }), retry: ['a', 'b'] },
      ],
    };
    const sender: SenderService = { sendBatch: () => Promise.resolve(report), sendJob: () => Promise.reject(new Error('unused')) };
    const seen: Record<RecipientOutcome, number>[] = [];
    let flushes = 0;
    const metrics: SendMetrics = { recipients: (c) => seen.push({ ...c }), flush: () => void flushes++ };
    const rt: SenderRuntime = { sender, clock: new ManualClock(0), log: silentLog, reserveMs: 1000, metrics };
    const response = await createSenderHandler(() => Promise.resolve(rt))(sqsEvent(2));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(seen).toEqual([counts({ sent: 45, 'already-done': 3, skipped: 2, rejected: 1, failed: 2, uncertain: 1 })]);
    expect(flushes).toBe(1);
  });
});

describe('Powertools adapters (EMF)', () => {
  it('writes every send outcome under the dashboard\'s names, zeros included', () => {
    const metrics = new Metrics({ namespace: DELIVERY_METRICS.namespace, serviceName: DELIVERY_METRICS.service });
    powertoolsSendMetrics(metrics).recipients(counts({ sent: 7, rejected: 1 }));
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('Newsbrief');
    expect(directive!.Dimensions).toEqual([['service']]);
    expect(emf.service).toBe('newsbrief');
    expect(directive!.Metrics.map((m) => m.Name).sort()).toEqual(['SendAlreadySent', 'SendFailed', 'SendGivenUp', 'SendRejected', 'SendSent', 'SendSkipped', 'SendUncertain']);
    expect([emf.SendSent, emf.SendRejected, emf.SendFailed, emf.SendAlreadySent, emf.SendSkipped, emf.SendUncertain, emf.SendGivenUp]).toEqual([7, 1, 0, 0, 0, 0, 0]);
  });

  it('counts hard bounces, soft bounces and complaints', () => {
    const metrics = new Metrics({ namespace: DELIVERY_METRICS.namespace, serviceName: DELIVERY_METRICS.service });
    const published: Record<string, unknown>[] = [];
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      published.push(metrics.serializeMetrics() as unknown as Record<string, unknown>);
      return metrics;
    });
    const port = powertoolsMailEventMetrics(metrics);
    port.flush();
    expect(published).toEqual([]);
    port.event('hard-bounce');
    port.event('complaint');
    port.event('hard-bounce');
    port.flush();
    expect(published).toHaveLength(1);
    expect([published[0]!.MailHardBounces, published[0]!.MailComplaints, published[0]!.MailSoftBounces]).toEqual([2, 1, undefined]);
  });
});
