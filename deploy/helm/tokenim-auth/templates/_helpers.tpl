{{/*
The chart's name, or nameOverride.
*/}}
{{- define "tokenim-auth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's resources: fullnameOverride, or the release
name with the chart name appended unless it already contains it. At most 63
characters (a DNS label); the longest suffix added below is "-migrate".
*/}}
{{- define "tokenim-auth.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 55 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 55 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 55 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "tokenim-auth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource but the component.
*/}}
{{- define "tokenim-auth.commonLabels" -}}
helm.sh/chart: {{ include "tokenim-auth.chart" . }}
app.kubernetes.io/name: {{ include "tokenim-auth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tokenim-auth
{{- end }}

{{/*
Labels of the nodes' resources (component server).
*/}}
{{- define "tokenim-auth.labels" -}}
{{ include "tokenim-auth.commonLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Labels that select the provider's pods.
*/}}
{{- define "tokenim-auth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tokenim-auth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{/*
The ServiceAccount the nodes run under.
*/}}
{{- define "tokenim-auth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tokenim-auth.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret holding the system secret and the database and Redis URLs.
*/}}
{{- define "tokenim-auth.secretName" -}}
{{- default (include "tokenim-auth.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
The image reference: repository@digest, or repository:tag.
*/}}
{{- define "tokenim-auth.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
The provider's configuration file: .Values.config with the keys the chart
owns set over it (the ports the pods and the Service use, and who applies
migrations).
*/}}
{{- define "tokenim-auth.config" -}}
{{- $owned := dict "issuer" .Values.issuer "listen" "0.0.0.0:8080" "database" (dict "migrate" (not .Values.migrations.enabled)) }}
{{- if .Values.metrics.enabled }}
{{- $_ := set $owned "metrics" (dict "listen" (printf "0.0.0.0:%d" (int .Values.metrics.port))) }}
{{- end }}
{{- mustMergeOverwrite (deepCopy (.Values.config | default dict)) $owned | toYaml }}
{{- end }}

{{/*
The environment of the nodes and of the migration Job: the secrets, from
the Secret, and extraEnv.
*/}}
{{- define "tokenim-auth.env" -}}
- name: TOKENIM_SECRETS_SYSTEM
  valueFrom:
    secretKeyRef:
      name: {{ include "tokenim-auth.secretName" . }}
      key: {{ .Values.secrets.keys.system }}
- name: TOKENIM_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "tokenim-auth.secretName" . }}
      key: {{ .Values.secrets.keys.databaseURL }}
{{- if .Values.redis.enabled }}
- name: TOKENIM_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "tokenim-auth.secretName" . }}
      key: {{ .Values.secrets.keys.redisURL }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
A container's security context and the config and /tmp mounts, shared by
the nodes and the migration Job.
*/}}
{{- define "tokenim-auth.containerSecurity" -}}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
volumeMounts:
  - name: config
    mountPath: /etc/tokenim-auth
    readOnly: true
  - name: tmp
    mountPath: /tmp
{{- end }}
