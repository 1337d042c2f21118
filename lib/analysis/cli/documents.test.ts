import { describe, expect, it } from 'vitest';
import { obj } from '../testing';
import { defaultIngressGateway, inAnalyzedNamespace, overlay, parseObjects, pathSegments, withNamespace } from './documents';

describe('analyze documents', () => {
  it('reads multi-document YAML, skipping empty documents', () => {
    const { objects, problems } = parseObjects(
      [
        '---',
        'apiVersion: networking.istio.io/v1beta1',
        'kind: VirtualService',
        'metadata: {name: checkout, namespace: shop}',
        'spec: {hosts: [checkout]}',
        '---',
        '# nothing here',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: checkout',
      ].join('\n'),
      'shop.yaml',
    );
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'networking.istio.io/v1beta1 VirtualService shop/checkout',
      'v1 Service -/checkout',
    ]);
  });

  it('reads JSON, and the items of List and typed lists (which leave apiVersion and kind to the list)', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' } }],
    });
    const typed = JSON.stringify({
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'DestinationRuleList',
      items: [{ metadata: { name: 'web', namespace: 'shop' } }],
    });
    const { objects, problems } = parseObjects(`${list}\n---\n${typed}`, 'dump.json');
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(['v1 Pod web-1', 'networking.istio.io/v1alpha3 DestinationRule web']);
  });

  it('reports documents that are not objects, or not Kubernetes objects, and keeps the rest', () => {
    const { objects, problems } = parseObjects(
      'kind: ConfigMap\n---\n- a list\n---\n{ broken: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n',
      'mixed.yaml',
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(['ok']);
    expect(problems.map((p) => p.message.replace(/:.*/, ''))).toEqual(['document 1', 'document 2', 'document 3']);
    expect(problems[0]).toEqual({ source: 'mixed.yaml', message: 'document 1: a Kubernetes object needs apiVersion, kind and metadata.name' });
  });

  it('reads finding paths, quoted keys included', () => {
    expect(pathSegments('spec.http[0].route[1].destination.subset')).toEqual(['spec', 'http', 0, 'route', 1, 'destination', 'subset']);
    expect(pathSegments('metadata.annotations["sidecar.istio.io/inject"]')).toEqual(['metadata', 'annotations', 'sidecar.istio.io/inject']);
  });

  it('knows the line of each object and of its fields in YAML, and none in JSON', () => {
    const yaml = parseObjects(
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    "a.b/c": "x"\nspec:\n  ports:\n    - port: 80\n',
      'web.yaml',
    );
    const [place] = yaml.places;
    expect(place!.line).toBe(2);
    expect(place!.lineOf('spec.ports[0].port')).toBe(10);
    expect(place!.lineOf('metadata.annotations["a.b/c"]')).toBe(7);
    expect(place!.lineOf('spec.ports[3].name')).toBe(10); // the deepest part that exists: the ports list, which starts on its first item
    expect(place!.lineOf(undefined)).toBe(2);
    const json = parseObjects('{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}', 'web.json');
    expect(json.places[0]).toMatchObject({ source: 'web.json' });
    expect(json.places[0]!.lineOf('spec')).toBeUndefined();
  });

  it('stores Secret stringData as data, as the API server does', () => {
    const [secret] = parseObjects('apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\nstringData: {tls.crt: PEM}\ndata: {ca.crt: Q0E=}\n', 's.yaml').objects;
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, data: { 'ca.crt': 'Q0E=', 'tls.crt': 'UEVN' } });
  });

  it('gives namespaced objects without a namespace the default one, and leaves cluster-scoped ones without', () => {
    expect(withNamespace(obj('VirtualService', 'checkout'), 'shop').metadata.namespace).toBe('shop');
    expect(withNamespace(obj('VirtualService', 'other/checkout'), 'shop').metadata.namespace).toBe('other');
    expect(withNamespace(obj('Namespace', 'shop'), 'default').metadata).toEqual({ name: 'shop' });
    const webhook = obj('MutatingWebhookConfiguration', 'stray/injector');
    expect(withNamespace(webhook, 'default').metadata).toEqual({ name: 'injector' });
  });

  it("leaves out istioctl's ignored namespaces", () => {
    expect(inAnalyzedNamespace(obj('Pod', 'kube-system/coredns'))).toBe(false);
    expect(inAnalyzedNamespace(obj('Namespace', 'kube-public'))).toBe(false);
    expect(inAnalyzedNamespace(obj('Pod', 'shop/web'))).toBe(true);
  });

  it('overlays files on the cluster: same kind, namespace and name replaces, whatever the version', () => {
    const cluster = [
      obj('VirtualService', 'shop/checkout', { hosts: ['old'] }),
      obj('VirtualService', 'shop/cart', { hosts: ['cart'] }),
      obj('Service', 'shop/checkout'),
    ];
    const files = [
      obj('VirtualService', 'shop/checkout', { hosts: ['new'] }, { apiVersion: 'networking.istio.io/v1alpha3' }),
      obj('VirtualService', 'lab/checkout'),
    ];
    const result = overlay(cluster, files);
    expect(result.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${JSON.stringify(o.spec ?? null)}`)).toEqual([
      'VirtualService shop/checkout {"hosts":["new"]}',
      'VirtualService shop/cart {"hosts":["cart"]}',
      'Service shop/checkout null',
      'VirtualService lab/checkout null',
    ]);
  });

  it("adds istioctl's stand-in ingress gateway when no cluster is read", () => {
    const [pod, service] = defaultIngressGateway();
    expect(pod!.metadata).toMatchObject({ namespace: 'istio-system', labels: { istio: 'ingressgateway' } });
    expect((service!.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([80, 443, 31400, 15443]);
  });
});
