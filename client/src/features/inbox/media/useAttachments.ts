import { useCallback, useRef, useState } from 'react';
import { checkFile, uploadFile, type UploadedMedia } from './upload.ts';

export interface Attachment {
  key: string;
  file: File;
  voice: boolean;
  /** 0..1 while uploading. */
  progress: number;
  state: 'uploading' | 'ready' | 'failed';
  error?: string;
  uploaded?: UploadedMedia;
}

let counter = 0;

/**
 * The composer's files: each is checked against WhatsApp's limits, then uploaded at once (progress
 * shown); a failed upload can be retried or removed. `ready` lists what can be sent.
 */
export function useAttachments() {
  const [items, setItems] = useState<Attachment[]>([]);
  const controllers = useRef(new Map<string, AbortController>());

  const update = (key: string, change: Partial<Attachment>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const start = useCallback((item: Attachment) => {
    const controller = new AbortController();
    controllers.current.set(item.key, controller);
    uploadFile(item.file, {
      voice: item.voice,
      signal: controller.signal,
      onProgress: (progress) => update(item.key, { progress }),
    }).then(
      (uploaded) => update(item.key, { state: 'ready', progress: 1, uploaded }),
      (error: unknown) =>
        update(item.key, { state: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  }, []);

  const add = useCallback(
    (files: File[], options: { voice?: boolean } = {}) => {
      const added = files.map((file): Attachment => {
        const problem = checkFile(file, options);
        return {
          key: `attachment-${++counter}`,
          file,
          voice: options.voice ?? false,
          progress: 0,
          state: problem ? 'failed' : 'uploading',
          ...(problem ? { error: problem } : {}),
        };
      });
      setItems((current) => [...current, ...added]);
      for (const item of added) if (item.state === 'uploading') start(item);
    },
    [start],
  );

  const retry = (key: string) => {
    const item = items.find((candidate) => candidate.key === key);
    if (!item || checkFile(item.file, { voice: item.voice })) return;
    const again = { ...item, state: 'uploading' as const, progress: 0 };
    delete again.error;
    update(key, again);
    start(again);
  };

  const remove = (key: string) => {
    controllers.current.get(key)?.abort();
    controllers.current.delete(key);
    setItems((current) => current.filter((item) => item.key !== key));
  };

  const clear = (keys: string[]) => setItems((current) => current.filter((item) => !keys.includes(item.key)));

  return {
    items,
    add,
    retry,
    remove,
    clear,
    ready: items.filter((item) => item.state === 'ready'),
    busy: items.some((item) => item.state === 'uploading'),
  };
}
