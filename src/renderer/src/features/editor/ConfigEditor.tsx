import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabStatus, PipelineFileInfo, PipelinePreview, PipelineProblem, StoredProfile } from '../../../../shared/api';
import { useConfirm } from '../../app/ConfirmDialog';
import { engine } from '../../engine';
import { toProblem } from '../../app/format';
import { StateBadge } from '../../app/StateBadge';
import { useEffectiveTheme } from '../../app/theme';
import { usePipelinesStore } from '../pipelines/pipelinesStore';
import { applyPipelineSchema, monaco, PIPELINE_MODEL_URI, refreshPipelineSchema } from './monacoSetup';
import { type KafkaDefaults, newPipelineText, pipelineNameOf, wrapPastedConnector } from './pipelineText';
import { setEditorUnsaved, takeEditorHandoff } from './editorHandoff';
import { DeployPanel } from './DeployPanel';
import { PreviewPanel } from './PreviewPanel';
import { fillFromLab } from './profileText';
import { ProfilesPanel } from './ProfilesPanel';
import { ProblemsList } from './ProblemsList';
import './editor.css';

const MARKER_OWNER = 'ferry';
const VALIDATE_DELAY_MS = 300;
const LOCAL_REGISTRY = 'http://127.0.0.1:18081';

/** The text survives switching panes (not reloads: it may hold passwords, which never go to browser storage). */
let draft: string | undefined;
/** The draft's baseline (as opened or saved), kept with it so a saved draft is not "unsaved" after a pane switch. */
let draftBaseline: string | undefined;

type Busy = 'save' | 'run' | 'stop' | undefined;

function fileFromHash(): string | undefined {
  const [, sub] = window.location.hash.replace(/^#/, '').split('/');
  return sub ? decodeURIComponent(sub) : undefined;
}

/**
 * Monaco on a pipeline file: completion and hover docs from the engine's JSON Schema, the engine's own validation as
 * inline markers with fix hints (re-checked 300 ms after typing stops), a preview of what the file will do, and
 * save / run / stop (Ctrl+Enter runs, Ctrl+Shift+Enter stops, Ctrl+S saves).
 */
export default function ConfigEditor() {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  const [problems, setProblems] = useState<PipelineProblem[]>([]);
  const [validating, setValidating] = useState(true);
  const [tab, setTab] = useState<'problems' | 'preview' | 'profiles' | 'deploy'>('problems');
  /** The text last validated, for the Connections tab (which reads the file's slots). */
  const [docText, setDocText] = useState('');
  const [profiles, setProfiles] = useState<StoredProfile[]>([]);
  const [lab, setLab] = useState<LabStatus | undefined>();
  /** The text as last opened, saved or created: anything else is unsaved and New asks before replacing it. */
  const baseline = useRef<string | undefined>(undefined);
  /** Sets the baseline and tells other panes (Kafka Connect's Open in editor) whether the text is unsaved. */
  const markBaseline = useCallback((value: string | undefined): void => {
    baseline.current = value;
    draftBaseline = value;
    const current = editorRef.current?.getValue() ?? draft ?? '';
    setEditorUnsaved(current.trim() !== '' && current !== value);
  }, []);
  const [confirmDialog, confirm] = useConfirm();
  const [preview, setPreview] = useState<PipelinePreview | undefined>();
  const [previewLoading, setPreviewLoading] = useState(false);
  const [previewError, setPreviewError] = useState<string | undefined>();
  const [busy, setBusy] = useState<Busy>();
  const [notice, setNotice] = useState<string | undefined>();
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [files, setFiles] = useState<PipelineFileInfo[]>([]);
  const [name, setName] = useState<string | undefined>();
  const [ready, setReady] = useState(false);
  const defaults = useRef<KafkaDefaults>({ bootstrap: '127.0.0.1:19092', registry: LOCAL_REGISTRY });
  const theme = useEffectiveTheme();
  const pipelines = usePipelinesStore((state) => state.pipelines);
  const connectPipelines = usePipelinesStore((state) => state.connect);
  useEffect(() => connectPipelines(), [connectPipelines]);
  const running = name ? pipelines[name] : undefined;

  const text = useCallback((): string => editorRef.current?.getValue() ?? '', []);

  const validate = useCallback(async (): Promise<PipelineProblem[]> => {
    const model = editorRef.current?.getModel();
    if (!model) return [];
    const value = model.getValue();
    setValidating(true);
    try {
      const result = await engine.pipelines.validate({ text: value, fileName: 'pipeline.json' });
      // The user may have typed meanwhile; markers must belong to the text they were computed for.
      if (model.isDisposed() || model.getValue() !== value) return result.problems;
      monaco.editor.setModelMarkers(
        model,
        MARKER_OWNER,
        result.problems.map((entry) => {
          const line = Math.min(Math.max(1, entry.line ?? 1), model.getLineCount());
          const column = Math.max(1, entry.column ?? 1);
          return {
            severity: entry.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
            message: entry.hint ? `${entry.message}\nFix: ${entry.hint}` : entry.message,
            source: 'Ferry',
            ...(entry.rule ? { code: entry.rule } : {}),
            startLineNumber: line,
            startColumn: column,
            endLineNumber: line,
            endColumn: model.getLineMaxColumn(line),
          };
        }),
      );
      setProblems(result.problems);
      setDocText(value);
      setName(pipelineNameOf(value));
      return result.problems;
    } catch (error) {
      setProblem(toProblem(error));
      return [];
    } finally {
      // A check of text the user has changed since is not the last word: the check the change scheduled clears this.
      if (model.isDisposed() || model.getValue() === value) setValidating(false);
    }
  }, []);

  const refreshPreview = useCallback(async () => {
    setPreviewLoading(true);
    setPreviewError(undefined);
    try {
      setPreview(await engine.pipelines.preview({ text: text(), fileName: 'pipeline.json' }));
    } catch (error) {
      setPreviewError(toProblem(error).message);
    } finally {
      setPreviewLoading(false);
    }
  }, [text]);

  const run = useCallback(async () => {
    const found = await validate();
    if (found.some((entry) => entry.severity === 'error')) {
      setTab('problems');
      setProblem({ code: 'CONFIG_INVALID', message: 'The file has errors (see Problems); fix them to run it.' });
      return;
    }
    setBusy('run');
    setProblem(undefined);
    setNotice(undefined);
    try {
      const status = await engine.pipelines.start({ text: text(), fileName: 'pipeline.json' });
      setNotice(`Started "${status.name}". Follow it in Pipelines.`);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(undefined);
    }
  }, [text, validate]);

  const stop = useCallback(async () => {
    const current = pipelineNameOf(text());
    if (!current) return;
    setBusy('stop');
    setProblem(undefined);
    try {
      await engine.pipelines.stop(current);
      setNotice(`Stopped "${current}".`);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(undefined);
    }
  }, [text]);

  const save = useCallback(async () => {
    setBusy('save');
    setProblem(undefined);
    try {
      const current = text();
      const saved = await engine.pipelines.saveFile({ text: current, fileName: 'pipeline.json' });
      markBaseline(current);
      setNotice(
        `Saved "${saved.name}" to the workspace${saved.path ? ` (${saved.path}; \`ferry run\` takes that file as it is)` : ''}.${saved.secretsInMemory ? ' Passwords typed in the file are not written to disk: they stay in this engine process until it stops. Name a profile (Connections tab) to keep them.' : ''}`,
      );
      setFiles(await engine.pipelines.listFiles());
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(undefined);
    }
  }, [text, markBaseline]);

  const actions = useRef({ run, save, stop });
  useEffect(() => {
    actions.current = { run, save, stop };
  }, [run, save, stop]);

  // Create Monaco once; load the schema, the lab's endpoints for templates, and the file named in the URL.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    let disposed = false;
    const model = monaco.editor.getModel(PIPELINE_MODEL_URI) ?? monaco.editor.createModel('', 'json', PIPELINE_MODEL_URI);
    const editor = monaco.editor.create(element, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      ariaLabel: 'Pipeline configuration (JSON)',
      quickSuggestions: { strings: true, other: true, comments: false },
    });
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => void actions.current.run());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => void actions.current.stop());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void actions.current.save());

    let timer: ReturnType<typeof setTimeout> | undefined;
    const changes = model.onDidChangeContent(() => {
      draft = model.getValue();
      setEditorUnsaved(draft.trim() !== '' && draft !== baseline.current);
      setValidating(true);
      clearTimeout(timer);
      timer = setTimeout(() => {
        refreshPipelineSchema(model.getValue());
        void validate();
      }, VALIDATE_DELAY_MS);
    });
    // A connector config pasted from Confluent Cloud or Connect into an empty editor becomes a pipeline around it.
    const paste = editor.onDidPaste(() => {
      const wrapped = wrapPastedConnector(model.getValue(), defaults.current);
      if (wrapped) {
        editor.executeEdits('ferry.wrap', [{ range: model.getFullModelRange(), text: wrapped }]);
        setNotice(`Pasted a connector config: wrapped it in a pipeline on Kafka ${defaults.current.bootstrap}. Change "kafka" and "schema.registry.url" if it belongs elsewhere.`);
      }
    });
    const fixes = monaco.languages.registerCodeActionProvider('json', {
      provideCodeActions(target, _range, context) {
        const marker = context.markers.find((entry) => entry.source === 'Ferry' && entry.code === 'pipeline.bare-connector');
        const wrapped = marker ? wrapPastedConnector(target.getValue(), defaults.current) : undefined;
        if (!marker || !wrapped) return { actions: [], dispose() {} };
        return {
          actions: [{ title: 'Wrap this connector in a pipeline', kind: 'quickfix', isPreferred: true, diagnostics: [marker], edit: { edits: [{ resource: target.uri, versionId: target.getVersionId(), textEdit: { range: target.getFullModelRange(), text: wrapped } }] } }],
          dispose() {},
        };
      },
    });

    void (async () => {
      const [schema, lab, saved] = await Promise.all([engine.pipelines.schema(), engine.lab.status().catch(() => undefined), engine.pipelines.listFiles().catch(() => [])]);
      if (disposed) return;
      applyPipelineSchema(schema);
      if (lab) defaults.current = { bootstrap: lab.endpoints.kafka.a.bootstrap, registry: LOCAL_REGISTRY };
      setFiles(saved);
      const wanted = fileFromHash();
      let initial = draft;
      if (wanted) initial = (await engine.pipelines.readFile(wanted).catch(() => undefined))?.text ?? initial;
      if (disposed) return;
      // A connector handed over by another pane (Kafka Connect's "Open in editor") wins over the draft, wrapped in a pipeline.
      const handoff = takeEditorHandoff();
      const handed = handoff ? wrapPastedConnector(handoff.connectorJson, defaults.current) : undefined;
      // Text typed or pasted while the schema and the lab's endpoints were loading is the user's: never overwrite it.
      const typedMeanwhile = model.getValue() !== '' && model.getValue() !== initial ? model.getValue() : undefined;
      const start = handed ?? typedMeanwhile ?? initial ?? newPipelineText(defaults.current, lab?.endpoints);
      model.setValue(start);
      refreshPipelineSchema(start);
      markBaseline(handed === undefined && (wanted || initial === undefined || (initial === draft && draft === draftBaseline)) ? start : undefined);
      if (handoff && handed) setNotice(`Opened ${handoff.origin}, wrapped in a pipeline on Kafka ${defaults.current.bootstrap}. Change "kafka" and "schema.registry.url" if it belongs elsewhere.`);
      setReady(true);
    })().catch((error: unknown) => setProblem(toProblem(error)));

    return () => {
      disposed = true;
      clearTimeout(timer);
      changes.dispose();
      paste.dispose();
      fixes.dispose();
      editor.dispose();
      editorRef.current = undefined;
    };
  }, [validate, markBaseline]);

  useEffect(() => monaco.editor.setTheme(theme === 'light' ? 'vs' : 'vs-dark'), [theme]);

  // Ctrl/Cmd+Enter also runs when the focus is outside the editor (toolbar, side panel).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
        event.preventDefault();
        void (event.shiftKey ? actions.current.stop() : actions.current.run());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const reveal = (entry: PipelineProblem): void => {
    const editor = editorRef.current;
    if (!editor || entry.line === undefined) return;
    editor.revealLineInCenter(entry.line);
    editor.setPosition({ lineNumber: entry.line, column: entry.column ?? 1 });
    editor.focus();
  };

  const open = async (file: string): Promise<void> => {
    if (file === '') return;
    try {
      const loaded = await engine.pipelines.readFile(file);
      editorRef.current?.getModel()?.setValue(loaded.text);
      markBaseline(loaded.text);
      setNotice(
        loaded.secretsInMemory || !loaded.text.includes('"****"')
          ? `Opened "${loaded.name}".`
          : `Opened "${loaded.name}". Its passwords were not saved to disk: replace each "****", or name a profile in the Connections tab so the file needs none.`,
      );
    } catch (error) {
      setProblem(toProblem(error));
    }
  };

  /** A template on the running lab (its services named as profiles, so it runs and saves without passwords). */
  const startNew = async (): Promise<void> => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    if (baseline.current !== model.getValue() && model.getValue().trim() !== '') {
      const go = await confirm({ title: 'Replace the unsaved text?', message: 'The editor holds changes that are not saved. New replaces them with a template.', confirmLabel: 'Replace' });
      if (!go) return;
    }
    const status = await engine.lab.status().catch(() => undefined);
    setLab(status);
    if (status) defaults.current = { bootstrap: status.endpoints.kafka.a.bootstrap, registry: LOCAL_REGISTRY };
    const template = newPipelineText(defaults.current, status?.endpoints);
    const labUp = status?.services.some((service) => service.state === 'running') ?? false;
    const next = labUp ? (fillFromLab(template)?.text ?? template) : template;
    model.setValue(next);
    markBaseline(next);
    setNotice(labUp ? 'New pipeline on the running lab: its Kafka, MariaDB and PostgreSQL are named as profiles (lab:…), resolved when it runs.' : 'New pipeline: the lab is not running, so fill in the connections (or start the lab and use Fill from the lab).');
  };

  const openProfiles = async (): Promise<void> => {
    setTab('profiles');
    const [saved, status] = await Promise.all([engine.connections.list().catch(() => []), engine.lab.status().catch(() => undefined)]);
    setProfiles(saved);
    setLab(status);
  };

  const errors = problems.filter((entry) => entry.severity === 'error').length;
  const warnings = problems.length - errors;
  const checking = validating || !ready;
  return (
    <div className="pane editor-pane">
      {confirmDialog}
      <header className="pane-header">
        <div>
          <h1>Config editor</h1>
          <p className="muted">A pipeline file: Kafka, Schema Registry and connector configs as Confluent Cloud or Kafka Connect take them. Paste a connector config as is.</p>
        </div>
        <div className="toolbar" role="toolbar" aria-label="Editor actions">
          <label className="field-inline">
            <span className="visually-hidden">Open a saved pipeline</span>
            <select aria-label="Open a saved pipeline" value="" onChange={(event) => void open(event.target.value)} disabled={files.length === 0}>
              <option value="">{files.length === 0 ? 'No saved pipelines' : 'Open…'}</option>
              {files.map((file) => (
                <option key={file.name} value={file.name}>
                  {file.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => void startNew()} title="Start from a template on the running lab">
            New
          </button>
          <button type="button" onClick={() => void save()} disabled={busy !== undefined || !ready} title="Save to the workspace (Ctrl+S)">
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={() => setTab('deploy')} disabled={!ready} title="Deploy this pipeline to a Kafka Connect cluster (dry run first)">
            Deploy…
          </button>
          {running ? (
            <button type="button" className="danger" onClick={() => void stop()} disabled={busy !== undefined} title="Stop the running pipeline (Ctrl+Shift+Enter)" aria-keyshortcuts="Control+Shift+Enter">
              {busy === 'stop' ? 'Stopping…' : 'Stop'} <kbd>Ctrl+⇧+↵</kbd>
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void run()} disabled={busy !== undefined || !ready} title="Validate and run (Ctrl+Enter)" aria-keyshortcuts="Control+Enter">
              {busy === 'run' ? 'Starting…' : 'Run'} <kbd>Ctrl+↵</kbd>
            </button>
          )}
        </div>
      </header>
      <div className="status-line editor-status" aria-live="polite">
        {name && <span className="muted">Pipeline <strong>{name}</strong></span>}
        {running && <StateBadge state={running.state} testId="editor-pipeline-state" />}
        {running && <a href="#pipelines">View in Pipelines →</a>}
        {notice && <span>{notice}</span>}
      </div>
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
          <button type="button" onClick={() => setProblem(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      <div className="editor-layout">
        <div className="editor-host" ref={host} data-testid="monaco-host" />
        <aside className="editor-side panel" aria-label="Problems and preview">
          <div className="tabs" role="tablist" aria-label="Side panel">
            <button type="button" role="tab" aria-selected={tab === 'problems'} className={tab === 'problems' ? 'tab active' : 'tab'} onClick={() => setTab('problems')}>
              Problems{' '}
              {/* While a check is pending the last count may no longer be true of the text: say so instead of showing it. */}
              <span className={checking ? 'count' : errors > 0 ? 'count bad' : warnings > 0 ? 'count warn' : 'count'} data-testid="problem-count" aria-busy={checking} title={checking ? 'Checking…' : undefined}>
                {checking ? '…' : errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '0'}
              </span>
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'preview'}
              className={tab === 'preview' ? 'tab active' : 'tab'}
              onClick={() => {
                setTab('preview');
                if (!preview && !previewLoading) void refreshPreview();
              }}
            >
              Preview
            </button>
            <button type="button" role="tab" aria-selected={tab === 'profiles'} className={tab === 'profiles' ? 'tab active' : 'tab'} onClick={() => void openProfiles()}>
              Connections
            </button>
            <button type="button" role="tab" aria-selected={tab === 'deploy'} className={tab === 'deploy' ? 'tab active' : 'tab'} onClick={() => setTab('deploy')}>
              Deploy
            </button>
          </div>
          <div role="tabpanel" className="tab-panel">
            {tab === 'problems' ? (
              <ProblemsList problems={problems} validating={checking} onReveal={reveal} />
            ) : tab === 'preview' ? (
              <PreviewPanel preview={preview} loading={previewLoading} error={previewError} onRefresh={() => void refreshPreview()} />
            ) : tab === 'deploy' ? (
              <DeployPanel currentText={text} />
            ) : (
              <ProfilesPanel
                text={docText}
                currentText={text}
                profiles={profiles}
                lab={lab}
                onChange={(next, note) => {
                  const model = editorRef.current?.getModel();
                  if (model) editorRef.current?.executeEdits('ferry.profile', [{ range: model.getFullModelRange(), text: next }]);
                  setDocText(next);
                  setNotice(note);
                }}
              />
            )}
          </div>
        </aside>
      </div>
    </div>
  );
}
