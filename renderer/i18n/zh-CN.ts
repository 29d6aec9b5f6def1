import type { MessageSchema } from './en';

export const zhCN: MessageSchema = {
  app: { title: 'Bosun', subtitle: '本地 Kubernetes 实验室', language: '语言' },
  connection: {
    title: '连接',
    apiUrl: 'API 地址',
    version: 'Kubernetes 版本',
    state: '状态',
    states: {
      connecting: '连接中…',
      connected: '已连接',
      noToken: '缺少令牌',
      unauthorized: '令牌被拒绝',
      error: '错误',
    },
    noTokenHelp: '此页面需要实验室的访问令牌。请打开 `bosun serve` 输出的 Dashboard 链接。',
    unauthorizedHelp: 'API 拒绝了此令牌（实验室可能已更换令牌）。请打开 `bosun serve` 输出的 Dashboard 链接。',
    retry: '重试',
  },
  namespaces: {
    title: '命名空间',
    name: '名称',
    status: '状态',
    age: '存在时长',
    empty: '没有命名空间',
  },
};
