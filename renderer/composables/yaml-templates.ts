// Starting points for the Create page: the manifests of the Kubernetes tutorials, unchanged in
// shape, so what a learner writes here applies to any cluster. `{{namespace}}` is the current one.

export interface YamlTemplate {
  id: string;
  /** Shown in the picker; the kinds speak for themselves in both languages. */
  label: string;
  text: string;
}

const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  namespace: {{namespace}}
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-service
  namespace: {{namespace}}
spec:
  type: NodePort
  selector:
    app: nginx
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30080
`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
  namespace: {{namespace}}
spec:
  containers:
    - name: hello
      image: busybox:1.36
      command: ["sh", "-c", "echo Hello Kubernetes; sleep 3600"]
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: {{namespace}}
data:
  LOG_LEVEL: info
  app.properties: |
    greeting=hello
    color=blue
`;

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: app-secret
  namespace: {{namespace}}
type: Opaque
stringData:
  username: admin
  password: change-me
`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: {{namespace}}
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: pi
          image: perl:5.34.0
          command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
`;

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
  namespace: {{namespace}}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: hello
              image: busybox:1.36
              command: ["sh", "-c", "date; echo Hello from the Kubernetes cluster"]
`;

const STATEFULSET = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {{namespace}}
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 80
      name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: {{namespace}}
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
              name: web
`;

const POD_FAULT = `apiVersion: chaos.bosun.dev/v1alpha1
kind: PodFault
metadata:
  name: kill-one-nginx
  namespace: {{namespace}}
spec:
  action: kill
  mode: one
  selector:
    labelSelector:
      matchLabels:
        app: nginx
  duration: 60s
`;

const NODE_FAULT = `apiVersion: chaos.bosun.dev/v1alpha1
kind: NodeFault
metadata:
  name: stop-a-kubelet
spec:
  action: kubeletStop
  mode: one
  selector:
    labelSelector:
      matchLabels:
        kubernetes.io/os: linux
  duration: 2m
`;

export const YAML_TEMPLATES: YamlTemplate[] = [
  { id: 'nginx', label: 'Deployment + NodePort Service (nginx)', text: NGINX },
  { id: 'pod', label: 'Pod', text: POD },
  { id: 'configmap', label: 'ConfigMap', text: CONFIGMAP },
  { id: 'secret', label: 'Secret', text: SECRET },
  { id: 'job', label: 'Job', text: JOB },
  { id: 'cronjob', label: 'CronJob', text: CRONJOB },
  { id: 'statefulset', label: 'StatefulSet + headless Service', text: STATEFULSET },
  { id: 'podfault', label: 'PodFault (chaos.bosun.dev)', text: POD_FAULT },
  { id: 'nodefault', label: 'NodeFault (chaos.bosun.dev)', text: NODE_FAULT },
];

export function templateText(id: string, namespace: string): string {
  const t = YAML_TEMPLATES.find((x) => x.id === id) ?? YAML_TEMPLATES[0];
  return t.text.replaceAll('{{namespace}}', namespace || 'default');
}
