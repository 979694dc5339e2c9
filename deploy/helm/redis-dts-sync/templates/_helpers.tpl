{{- define "rds.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rds.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "rds.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "rds.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rds.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rds.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "rds.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* The Temporal connection (envconfig variables) and the payload keys, shared by worker and API. */}}
{{- define "rds.commonEnv" -}}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
{{- if or .Values.temporal.tls .Values.temporal.mtls.existingSecret .Values.temporal.apiKey.existingSecret }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- with .Values.temporal.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if .Values.temporal.mtls.existingSecret }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /var/run/secrets/temporal/tls.crt
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /var/run/secrets/temporal/tls.key
{{- if .Values.temporal.mtls.serverCA }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /var/run/secrets/temporal/ca.crt
{{- end }}
{{- end }}
{{- if .Values.temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.temporal.apiKey.existingSecret }}
      key: {{ .Values.temporal.apiKey.key }}
{{- end }}
- name: PAYLOAD_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.payloadKeys.existingSecret is required" .Values.secrets.payloadKeys.existingSecret }}
      key: {{ .Values.secrets.payloadKeys.key }}
{{- with .Values.secrets.payloadKeyId }}
- name: PAYLOAD_KEY_ID
  value: {{ . | quote }}
{{- end }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{- define "rds.alibabaEnv" -}}
{{- if .Values.secrets.alibabaCloud.existingSecret }}
- name: ALIBABA_CLOUD_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.alibabaCloud.existingSecret }}
      key: {{ .Values.secrets.alibabaCloud.accessKeyIdKey }}
- name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.alibabaCloud.existingSecret }}
      key: {{ .Values.secrets.alibabaCloud.accessKeySecretKey }}
{{- end }}
{{- end -}}

{{- define "rds.volumes" -}}
# Read-only root filesystem: the one writable place is /tmp (tsx's and Node's temporary files).
- name: tmp
  emptyDir: {}
{{- if .Values.temporal.mtls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.mtls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "rds.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.mtls.existingSecret }}
- name: temporal-tls
  mountPath: /var/run/secrets/temporal
  readOnly: true
{{- end }}
{{- end -}}

{{- define "rds.podLabels" -}}
{{- if .Values.rrsa.enabled }}
# ACK's pod identity webhook injects the RRSA variables and token into pods with this label.
pod-identity.alibabacloud.com/injection: "on"
{{- end }}
{{- end -}}
