import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import type { BlobStore } from './ports.ts';

/** The S3 capability the blob adapter needs (an S3Client satisfies it). */
export interface S3Send {
  send(command: GetObjectCommand): Promise<GetObjectCommandOutput>;
  send(command: PutObjectCommand): Promise<PutObjectCommandOutput>;
  send(command: ListObjectsV2Command): Promise<ListObjectsV2CommandOutput>;
}

/** An object could not be read or written. */
export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NotFound';
}

/** The articles bucket and issues archive on S3. */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Send,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return null;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (error) {
      if (isMissing(error)) return null;
      throw new BlobStoreError(`s3://${this.bucket}/${key}: get failed`, { cause: error });
    }
  }

  async put(key: string, body: string | Buffer, contentType: string): Promise<void> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (error) {
      throw new BlobStoreError(`s3://${this.bucket}/${key}: put failed`, { cause: error });
    }
  }

  /** The first `max` keys under `prefix`, in S3's ascending key order (one ListObjectsV2 page, at most 1,000). */
  async list(prefix: string, max: number): Promise<string[]> {
    try {
      const out = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: Math.min(1000, Math.max(1, max)) }));
      return (out.Contents ?? []).map((o) => o.Key).filter((k): k is string => typeof k === 'string');
    } catch (error) {
      throw new BlobStoreError(`s3://${this.bucket}/${prefix}: list failed`, { cause: error });
    }
  }
}
