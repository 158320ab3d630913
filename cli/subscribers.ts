import { Command } from 'commander';
import { FREQUENCIES, type Frequency } from '../lambda/shared/subscriptions/model.ts';
import { InvalidSeedError, seedConfirmedSubscriber } from '../lambda/shared/subscriptions/seed.ts';
import { UsageError } from './errors.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';

/**
 * `newsbrief subscribers ...`: subscribers of a target. `add ADDRESS --confirmed` puts one
 * confirmed subscriber in, through the subscriber store and address rules the subscribe API uses,
 * without the opt-in mail: for a test address of your own, e.g. one verified in the SES sandbox.
 */

const SLUG = /^[a-z0-9-]+$/;

/** First letter of the local part and the domain: enough to recognise, not to harvest. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

interface AddOptions extends TargetOptions {
  readonly confirmed?: boolean;
  readonly topics?: string;
  readonly frequency: string;
}

export function subscribersCommand(print: (line: string) => void): Command {
  const group = new Command('subscribers').description('manage the subscribers of a target');
  withTargetOptions(
    group
      .command('add')
      .description('add one confirmed subscriber (your own test address: no opt-in mail is sent)')
      .argument('<address>', 'email address')
      .option('--confirmed', 'required: you confirm the address owner agreed (e.g. it is your own verified address)')
      .option('--topics <list>', 'comma-separated topic slugs (default: every topic)')
      .option('--frequency <frequency>', `one of ${FREQUENCIES.join(', ')}`, 'daily'),
  ).action(async (address: string, options: AddOptions) => {
    if (!options.confirmed) {
      throw new UsageError('subscribers add only adds confirmed subscribers: pass --confirmed to say the address owner agreed (use the subscribe form for anyone else)');
    }
    const topics = (options.topics ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    const bad = topics.filter((t) => !SLUG.test(t));
    if (bad.length > 0) throw new UsageError(`--topics: ${bad.join(', ')} not a topic slug (lower-case letters, digits, hyphens)`);
    if (!(FREQUENCIES as readonly string[]).includes(options.frequency)) {
      throw new UsageError(`--frequency: must be one of ${FREQUENCIES.join(', ')}`);
    }
    const frequency = options.frequency as Frequency;
    await onTarget(options, async (target) => {
      if (target.offered) {
        const unknown = topics.filter((t) => !target.offered!.topics.includes(t));
        if (unknown.length > 0) throw new UsageError(`--topics: ${unknown.join(', ')} not offered by ${target.description} (${target.offered.topics.join(', ')})`);
        if (!target.offered.frequencies.includes(frequency)) {
          throw new UsageError(`--frequency: ${frequency} not offered by ${target.description} (${target.offered.frequencies.join(', ')})`);
        }
      }
      let subscriber;
      try {
        subscriber = await seedConfirmedSubscriber(target.subscribers, await target.keyring(), { email: address, topics, frequency }, new Date().toISOString(), 'address');
      } catch (error) {
        if (error instanceof InvalidSeedError) throw new UsageError(error.message, { cause: error });
        throw error;
      }
      const state = subscriber.status === 'confirmed' ? 'confirmed' : `${subscriber.status} (left as it is: a subscriber who left is not re-added)`;
      print(
        `subscriber ${subscriber.id} ${maskAddress(subscriber.email ?? address)}: ${state}, ${subscriber.frequency}, ` +
          `topics: ${subscriber.topics.join(',') || '(all)'} in ${target.description}`,
      );
    });
  });
  return group;
}
