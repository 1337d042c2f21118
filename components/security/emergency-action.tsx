'use client';

import { useQuery } from '@tanstack/react-query';
import { useDenial } from '@/components/auth/user-context';
import { Drawer } from '@/components/ui/drawer';
import { emergenciesQuery, type SecurityView } from '@/lib/queries/security';
import { useUrlState } from '@/lib/url-state';
import { Emergency } from './emergency-form';
import styles from './security.module.css';

/** Which namespace's emergency form is open (the URL keeps it, so an on-call link opens it directly). */
export const useEmergencyDrawer = () => useUrlState('emergency');

/**
 * The on-call action, first on the page and one tap away on a phone: a button that opens the
 * emergency PERMISSIVE form in a drawer (or, for those who may not, why not).
 */
export function EmergencyAction({ data, namespace }: { data: SecurityView; namespace: string }) {
  const denial = useDenial('emergency');
  const [open, setOpen] = useEmergencyDrawer();
  const active = useQuery(emergenciesQuery()).data?.items.length ?? data.emergencies.length;
  return (
    <div className={styles.emergencyAction}>
      {active > 0 && (
        <span className={styles.emergency}>
          {active} active emergenc{active === 1 ? 'y' : 'ies'}
        </span>
      )}
      {denial ? (
        <p className="hint">Only admins can start an emergency. {denial}</p>
      ) : (
        <button type="button" className="button button-danger" onClick={() => setOpen(namespace || data.namespaces[0]?.namespace || data.rootNamespace)}>
          Emergency PERMISSIVE…
        </button>
      )}
      <Drawer title="Emergency PERMISSIVE" open={Boolean(open) && !denial} onClose={() => setOpen(undefined)}>
        <Emergency key={open} data={data} initialNamespace={open} />
      </Drawer>
    </div>
  );
}
