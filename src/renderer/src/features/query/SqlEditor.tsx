import { useEffect, useRef } from 'react';
import { useEffectiveTheme } from '../../app/theme';
import { monaco } from '../editor/monacoSetup';
// The SQL languages' tokenizers (monacoSetup registers none): each is a small chunk loaded when an editor first uses it.
import 'monaco-editor/languages/definitions/mysql/register.js';
import 'monaco-editor/languages/definitions/pgsql/register.js';
import 'monaco-editor/languages/definitions/sql/register.js';
import { statementAt } from './queryModel';

export interface SqlEditorProps {
  /** Accessible name, e.g. "Source SQL". */
  label: string;
  value: string;
  dialect: 'mysql' | 'postgres' | 'sqlserver';
  onChange(value: string): void;
  /** Ctrl/Cmd+Enter: the selection, or the statement the cursor is in. */
  onRun(statement: string): void;
  /** The editor shows `value` anew when this changes (another database chosen); otherwise it owns its text. */
  resetKey: string;
  /** Filled with a function that runs like Ctrl+Enter, for the Run button. */
  runRef?: { current: (() => void) | undefined };
}

const LANGUAGES = { mysql: 'mysql', postgres: 'pgsql', sqlserver: 'sql' } as const;

/** Monaco with the database's SQL highlighting; loaded with the query pane, not with the app. */
export default function SqlEditor({ label, value, dialect, onChange, onRun, runRef, resetKey }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  const latest = useRef({ onChange, onRun });
  useEffect(() => {
    latest.current = { onChange, onRun };
  });
  const theme = useEffectiveTheme();

  useEffect(() => {
    if (!host.current) return;
    const instance = monaco.editor.create(host.current, {
      value,
      language: LANGUAGES[dialect],
      minimap: { enabled: false },
      fontSize: 13,
      lineNumbers: 'on',
      scrollBeyondLastLine: false,
      automaticLayout: true,
      wordWrap: 'on',
      renderLineHighlight: 'line',
      padding: { top: 8, bottom: 8 },
      ariaLabel: label,
      theme: theme === 'light' ? 'vs' : 'vs-dark',
    });
    editor.current = instance;
    const changes = instance.onDidChangeModelContent(() => latest.current.onChange(instance.getValue()));
    instance.addAction({
      id: 'ferry.runStatement',
      label: 'Run statement',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: (current) => {
        const model = current.getModel();
        const selection = current.getSelection();
        if (!model) return;
        const selected = selection && !selection.isEmpty() ? model.getValueInRange(selection).trim() : '';
        const position = current.getPosition();
        latest.current.onRun(selected || statementAt(model.getValue(), position ? model.getOffsetAt(position) : 0));
      },
    });
    if (runRef) runRef.current = () => void instance.getAction('ferry.runStatement')?.run();
    return () => {
      if (runRef) runRef.current = undefined;
      changes.dispose();
      instance.dispose();
      editor.current = undefined;
    };
    // Created once; value, language and theme follow below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const model = editor.current?.getModel();
    if (model) monaco.editor.setModelLanguage(model, LANGUAGES[dialect]);
  }, [dialect]);

  useEffect(() => {
    monaco.editor.setTheme(theme === 'light' ? 'vs' : 'vs-dark');
  }, [theme]);

  // Only a new database replaces the text: echoing every keystroke back through React would race the typing.
  const shownKey = useRef(resetKey);
  useEffect(() => {
    const instance = editor.current;
    if (!instance || shownKey.current === resetKey) return;
    shownKey.current = resetKey;
    if (instance.getValue() !== value) instance.setValue(value);
  }, [resetKey, value]);

  return <div className="sql-editor" ref={host} role="group" aria-label={label} data-testid={`editor-${label.toLowerCase().replace(/\s+/g, '-')}`} />;
}
