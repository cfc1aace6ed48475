package web

// workspaceHandlerKeys are the keys the workspace chooser and the sign-in
// pages pass for workspaces, without arguments.
func workspaceHandlerKeys() []string {
	return []string{"workspace.choose_failed", "workspace.sign_in_method"}
}

// workspaceHandlerArgKeys take one argument: the workspace's handle.
func workspaceHandlerArgKeys() []string {
	return []string{"workspace.not_member"}
}
