import path from 'node:path';
import { z } from 'zod';
import { AttachmentSchema } from '../src/domain/run';
import type { Db } from '../src/db/client';

export const ATTACHMENTS_DIR = 'attachments';

const CreatedEventSchema = z.object({ attachments: z.array(AttachmentSchema).optional() });
export type Attachment = z.infer<typeof AttachmentSchema>;

/** The request's attachments, kept with the run's creation event. */
export async function loadAttachments(db: Db, runId: string): Promise<Attachment[]> {
  const created = await db.runEvent.findUnique({
    where: { runId_key: { runId, key: 'created' } },
    select: { data: true },
  });
  const parsed = CreatedEventSchema.safeParse(created?.data ?? {});
  return parsed.success ? (parsed.data.attachments ?? []) : [];
}

/** Where an attachment lands in the workspace: its base name, with anything odd replaced, never a path. */
export function attachmentPath(fileName: string, index: number): string {
  const base =
    path
      .basename(fileName)
      .replace(/[^a-zA-Z0-9._-]/g, '_')
      .replace(/^\.+/, '') || `attachment-${index + 1}`;
  return `${ATTACHMENTS_DIR}/${base}`;
}

/** The line added to the prompt so the agent knows the files are there. */
export function describeAttachments(attachments: Attachment[]): string {
  const lines = attachments.map((a, i) => {
    const bytes = Buffer.from(a.data, 'base64').length;
    return `- ${attachmentPath(a.file_name, i)} (${a.mime_type}, ${bytes} bytes)`;
  });
  return `Attached files, in the workspace:\n${lines.join('\n')}`;
}
