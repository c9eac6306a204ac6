// Green Button: export usage points or a customer's usage points as an ESPI feed (consent
// checked live, progress and Cancel), and import Green Button files. Two tabs; each keeps its
// state while the other is shown.
import { useState } from 'react';
import { PageHeader } from '../components/ui';
import { ExportTab } from './greenbutton/ExportTab';
import { ImportTab } from './greenbutton/ImportTab';
import './greenbutton/greenbutton.css';

type Tab = 'export' | 'import';

const TABS: { id: Tab; label: string }[] = [
  { id: 'export', label: 'Export' },
  { id: 'import', label: 'Import' },
];

export default function GreenButtonPage() {
  const [tab, setTab] = useState<Tab>('export');
  return (
    <div className="page">
      <PageHeader
        title="Green Button"
        subtitle="ESPI (NAESB REQ.21) feeds: export usage data a customer or third party can load anywhere, import the files other systems write."
      />
      <div className="gb-tabs" role="tablist" aria-label="Green Button">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={t.id === tab}
            className={t.id === tab ? 'gb-tab active' : 'gb-tab'}
            onClick={() => setTab(t.id)}
            data-testid={`gb-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" hidden={tab !== 'export'} data-testid="gb-panel-export">
        <ExportTab />
      </div>
      <div role="tabpanel" hidden={tab !== 'import'} data-testid="gb-panel-import">
        <ImportTab />
      </div>
    </div>
  );
}
