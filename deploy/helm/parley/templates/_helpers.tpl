{{- define "parley.labels" -}}
app.kubernetes.io/name: parley
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "parley.databaseSecret" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecret }}{{- else }}{{ .Release.Name }}-database{{- end }}
{{- end }}

{{- define "parley.encryptionSecret" -}}
{{- if .Values.encryption.existingSecret }}{{ .Values.encryption.existingSecret }}{{- else }}{{ .Release.Name }}-encryption{{- end }}
{{- end }}

{{- define "parley.env" -}}
- name: NODE_ENV
  value: production
- name: PUBLIC_URL
  value: {{ .Values.publicUrl | quote }}
- name: TRUST_PROXY
  value: "true"
- name: DATABASE_POOL_SIZE
  value: {{ .Values.database.poolSize | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ .Values.shutdownTimeoutMs | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.databaseSecret" . }}
      key: {{ .Values.database.key }}
- name: PARLEY_ENCRYPTION_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.encryptionSecret" . }}
      key: {{ .Values.encryption.key }}
{{- range $name, $value := .Values.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{- define "parley.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
{{- end }}

{{- define "parley.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
