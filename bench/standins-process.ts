/**
 * The local stand-ins (dynalite in memory, SES emulator) in a child process of their own, so a
 * benchmark's CPU and memory figures are the code under test's, not the emulators'. Prints one JSON
 * line with the endpoints, then runs until stdin closes (the parent exits or ends it).
 */
import { startStandins } from '../scripts/local/standins.ts';

const standins = await startStandins();
process.stdout.write(`${JSON.stringify({ dynamoEndpoint: standins.dynamoEndpoint, sesEndpoint: standins.sesEndpoint })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void standins.stop().then(() => process.exit(0));
});
