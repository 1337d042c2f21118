import type { SecurityView } from '@/lib/queries/security';

/** RequestAuthentications (JWT providers) and which workloads need a token. */
export function Jwt({ data }: { data: SecurityView }) {
  return (
    <section className="panel" aria-labelledby="jwt-title">
      <h2 id="jwt-title">JWT authentication</h2>
      {data.jwt.length === 0 && <p className="muted">No RequestAuthentication: tokens are not validated.</p>}
      {data.jwt.map((r) => (
        <div key={`${r.namespace}/${r.name}`}>
          <h3>
            {r.namespace}/{r.name} <span className="muted">for {r.workloads}</span>
          </h3>
          <table className="table" aria-label={`JWT providers of ${r.name}`}>
            <thead>
              <tr>
                <th scope="col">Issuer</th>
                <th scope="col">JWKS</th>
                <th scope="col">Audiences</th>
                <th scope="col">Token from</th>
                <th scope="col">Forwarded</th>
              </tr>
            </thead>
            <tbody>
              {r.providers.map((p) => (
                <tr key={p.issuer}>
                  <th scope="row">{p.issuer}</th>
                  <td>
                    <code>{p.jwksUri ?? 'discovered'}</code>
                  </td>
                  <td>{p.audiences.join(', ') || 'any'}</td>
                  <td>{p.fromHeaders.join(', ') || 'Authorization (Bearer …)'}</td>
                  <td>{p.forwardOriginalToken ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <h3>Which workloads need a token</h3>
      <ul aria-label="Which workloads need a token">
        {data.tokenRequired.map((t) => (
          <li key={t.workload}>
            <strong>{t.workload}</strong>:{' '}
            {t.required === 'always' ? 'token required' : t.required === 'sometimes' ? 'token required for some requests' : 'no token required'}
            {t.because.length > 0 && ` (${t.because.join('; ')})`}
          </li>
        ))}
      </ul>
    </section>
  );
}
