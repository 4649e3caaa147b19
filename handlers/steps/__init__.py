"""Steps more than one flow asks (which project, a stage change, a note, a problem), written once.

Each is built with what differs between flows (where its project comes from, whether 返回 is offered,
what happens with the answer) and contributes its entries to a flow's step table under the step
names the conversation rows already store.
"""
