import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret, type SecretStringGenerator } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag-suppressions.ts';

/** A key ring `{"current":"k1","k1":"<64 random characters>"}` generated at deploy (also the CMS webhook's secret). */
export const GENERATED_KEYRING: SecretStringGenerator = {
  secretStringTemplate: JSON.stringify({ current: 'k1' }),
  generateStringKey: 'k1',
  excludePunctuation: true,
  passwordLength: 64,
};

export interface SigningKeyProps {
  /**
   * What happens to the secret when the stack is deleted. Unsubscribe links must keep working
   * for years, so losing the key would break every link already mailed.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The HMAC key ring that signs confirm, unsubscribe and preferences tokens, generated at deploy:
 * JSON `{"current":"k1","k1":"<64 random characters>"}`. Rotate by adding `k2` and pointing
 * `current` at it; keep `k1` so links already mailed stay valid (see lambda/shared/config.ts).
 */
export class SigningKey extends Construct {
  /** The secret; grant functions `grantRead`. */
  public readonly secret: Secret;

  constructor(scope: Construct, id: string, props: SigningKeyProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'newsbrief token signing key ring {"current": keyId, keyId: secret}',
      generateSecretString: GENERATED_KEYRING,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'Not a credential of another system that Secrets Manager could rotate: an HMAC key ring whose old keys must stay valid for years (unsubscribe links in mail already sent). It is rotated by hand by adding a key id and moving "current", as the README describes.',
    );
  }
}
