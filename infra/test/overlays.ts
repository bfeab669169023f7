/** Every buildable kustomization under k8s/: the overlays and the examples built on them. */
export const OVERLAYS = ['overlays/dev', 'overlays/prod', 'examples/prod-sentinel', 'examples/prod-cluster'];
